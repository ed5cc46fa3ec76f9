# Texts shared by the web pages and the reports.
language-name = English
language-direction = ltr
number-group-separator = ,
number-decimal-separator = .
app-name = Synergies
