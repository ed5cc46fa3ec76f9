# Texts shared by the web pages and the reports.
language-name = English
language-direction = ltr
number-group-separator = ,
number-decimal-separator = .
app-name = Synergies
# Typography of the language: the marks that take a narrow no-break space before them, the
# quotation marks, and the apostrophe between letters (empty: left as written).
typography-space-before = { "" }
typography-quote-open = { "\"" }
typography-quote-close = { "\"" }
typography-apostrophe = { "" }
