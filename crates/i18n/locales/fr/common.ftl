# Textes communs aux pages web et aux rapports.
language-name = Français
language-direction = ltr
# Espace fine insécable, comme l'ONU l'écrit.
number-group-separator = { "\u202F" }
number-decimal-separator = ,
app-name = Synergies
# Typographie : les signes précédés d'une espace fine insécable, les guillemets, l'apostrophe.
typography-space-before = ;:!?%
typography-quote-open = «
typography-quote-close = »
typography-apostrophe = ’
