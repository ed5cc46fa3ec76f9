# Refus et erreurs que donnent les règles, montrés à la personne refusée dans sa langue.

# Le nom d'un rôle dans une phrase.
role-name-officer = administrateur de programme
role-name-finance = fonctionnaire des finances
role-name-head = chef de secrétariat
role-name-task_force = membre de l'équipe spéciale
role-name-auditor = auditeur
role-name-admin = administrateur du système

# Joint deux éléments d'une liste de possibilités : « MC ou BRS ».
list-or = { $first } ou { $second }

denied-needs-role = { $user } ne peut pas { $what } : il faut le rôle de { $role } à { $organisation }
denied-what-draft-agreements = rédiger des accords dont { $organisation } est le prestataire
denied-what-approve-agreements = approuver ou modifier des accords pour { $organisation }
denied-what-record-deliveries = enregistrer des prestations que { $organisation } fournit
denied-what-edit-rates = modifier le barème de { $organisation }
denied-what-settle = régler ce que { $organisation } doit
denied-what-plan-activities = planifier les activités de { $organisation }
denied-what-track-mandates = consigner l'état d'avancement des mandats de { $organisation }
denied-edit-exchange-rates = { $user } ne peut pas modifier les taux de change : il faut un rôle de fonctionnaire des finances
denied-close-period = { $user } ne peut pas clôturer ni rouvrir cette période : le prestataire clôture les périodes de ses accords, et il faut pour cela le rôle de fonctionnaire des finances à { $provider }
denied-commit-resources = { $user } ne peut pas engager les ressources de { $organisation } : seul { $organisation } enregistre ses propres contributions (un administrateur de programme, un fonctionnaire des finances ou le chef de secrétariat de { $organisation })
denied-manage-action-items = { $user } ne peut pas gérer les actions de suivi : il faut le rôle de membre de l'équipe spéciale
denied-manage-users = { $user } ne peut pas gérer les utilisateurs : il faut le rôle d'administrateur du système
denied-last-administrator = { $user } est le seul administrateur actif : nommez d'abord quelqu'un d'autre administrateur
# $verb vaut accept ou dispute.
denied-review-as-provider = { $user } ne peut pas { $verb ->
        [accept] accepter
       *[dispute] contester
    } les prestations que { $provider } fournit : ce sont les organisations qui les paient ({ $payers }) qui les { $verb ->
        [accept] acceptent
       *[dispute] contestent
    }, jamais le prestataire
denied-review-needs-finance = { $user } ne peut pas { $verb ->
        [accept] accepter
       *[dispute] contester
    } ces prestations : il faut le rôle de fonctionnaire des finances à { $payers }
denied-review-no-payer = aucune organisation autre que le prestataire
denied-operator-only = { $user } ne peut pas { $what } : c'est l'opérateur de la ligne de commande qui le fait, sans --as
denied-no-organisation = aucune organisation pour laquelle agir
denied-record-training-event = { $user } ne peut pas enregistrer cette formation : il faut le rôle d'administrateur de programme dans une organisation qui y contribue

# Ce qu'une personne a saisi dans un champ.
error-required = ce champ est obligatoire
error-not-a-number = « { $value } » n'est pas un nombre
error-not-a-date = « { $value } » n'est pas une date (AAAA-MM-JJ)
error-not-a-choice = « { $value } » ne fait pas partie des choix proposés
error-unknown-biennium = il n’existe pas d’exercice biennal « { $value } »
error-fund-not-of-lead = le fonds { $fund } n’est pas un fonds de { $organisation }, l’organisation chef de file
