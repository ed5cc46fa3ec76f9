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

# The domain's refusals of agreements, deliveries and the ledger.
agreement-unknown-provider = prestataire inconnu : { $provider }
agreement-unknown-fund = fonds inconnu : { $fund }
agreement-fund-of-other = le fonds { $fund } relève de { $owner }, et non de { $organisation }
agreement-unknown-biennium = exercice biennal inconnu : { $biennium }
agreement-negative-ceiling = le plafond ne peut pas être négatif
agreement-psc-rate-range = le taux des dépenses d’appui aux programmes est une fraction comprise entre 0 et 1, par exemple 0,13
agreement-no-lines = un accord doit comporter au moins une ligne de service
agreement-unknown-service = service inconnu : { $service }
agreement-service-of-other = le service { $service } est fourni par { $owner }, et non par { $provider }
agreement-negative-quantity = une quantité estimée ne peut pas être négative
agreement-no-recipient = un accord doit avoir un bénéficiaire
agreement-unknown-organisation = organisation inconnue : { $organisation }
agreement-negative-share = une quote-part ne peut pas être négative
agreement-zero-shares = les quotes-parts ne peuvent pas être toutes nulles
agreement-purchase-one-recipient = un achat a exactement un bénéficiaire, qui paie sur un fonds autre que celui du prestataire
agreement-sharing-no-participant = un accord de partage doit compter au moins un participant autre que le fonds du prestataire
agreement-propose-not-draft = la version { $version } est { $status } ; seul un projet peut être proposé
agreement-approve-not-proposed = la version { $version } est { $status } ; seule une version proposée peut être approuvée
agreement-approver-not-party = { $organisation } n’est pas partie à { $agreement } ; seuls les chefs de { $parties } l’approuvent
agreement-already-approved = le chef de { $organisation } a déjà approuvé la version { $version }
agreement-withdraw-not-open = seul un projet ou une version proposée peut être retiré
agreement-amend-not-active = { $agreement } n’est pas en vigueur : modifiez le projet au lieu de l’amender
agreement-amendment-under-way = { $agreement } fait déjà l’objet d’une modification en cours (version { $version })
ledger-entry-no-postings = l’écriture { $entry } n’a aucune imputation
ledger-entry-unbalanced = l’écriture { $entry } n’est pas équilibrée dans le fonds { $fund } ({ $currency } { $amount })
delivery-past-ceiling = l’accord { $agreement } atteindrait { $committed } { $currency }, au-delà de son plafond de { $ceiling } { $currency } (version { $version }) ; il faut d’abord relever le plafond par une modification
activity-rate-card-currency = le barème { $biennium } de { $organisation } est en { $card }, et non en { $currency }
ledger-entry-missing = l’écriture { $entry } est introuvable
version-status-draft = à l’état de projet
version-status-proposed = proposée
version-status-active = en vigueur
version-status-superseded = remplacée
version-status-withdrawn = retirée
domain-unknown-currency = monnaie inconnue : { $currency } (un code ISO 4217 tel que USD, EUR ou CHF)
domain-too-many-digits = { $amount } a plus de décimales que les { $digits } de { $currency }
domain-overflow = montant hors limites
domain-bad-period = période non valable : { $period }
domain-no-fx-rate = aucun taux de change opérationnel pour { $currency } en { $month }
domain-no-rate = aucun taux de { $provider } pour { $key } par { $unit } en vigueur le { $date }
