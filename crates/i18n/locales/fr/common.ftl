# Textes communs aux pages web et aux rapports.
language-name = Français
language-direction = ltr
# Espace fine insécable, comme l'ONU l'écrit.
number-group-separator = { "\u202F" }
number-decimal-separator = ,
app-name = Synergies
