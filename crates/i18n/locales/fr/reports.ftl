# Textes des rapports (rapport d'application, relevés). Les montants arrivent déjà écrits
# avec les séparateurs de la langue.

## Couverture
report-distribution = Distr. : générale
report-original = Original : anglais
report-agenda = Point { $item } de l’ordre du jour provisoire
report-meeting = { $ordinal } réunion
report-date = { $day } { $month } { $year }
report-united-nations = Nations Unies
report-programme = Programme des Nations Unies pour l’environnement
report-agenda-item-unknown = xx
report-venue-dates = { $venue }, { $dates }
report-note-by = Note du secrétariat
report-date-range-days = { $startday }-{ $endday } { $month } { $year }
report-date-range-months = { $startday } { $startmonth }-{ $endday } { $endmonth } { $year }
report-date-range-years = { $start }-{ $end }
report-annex-label = Annexe { $number }
report-page = Page
report-body-minamata = Conférence des Parties à la Convention de Minamata sur le mercure
report-body-basel = Conférence des Parties à la Convention de Bâle
report-body-rotterdam = Conférence des Parties à la Convention de Rotterdam
report-body-stockholm = Conférence des Parties à la Convention de Stockholm
# Le secrétariat qui publie le document (son auteur dans les propriétés du fichier Word).
report-author-minamata = Secrétariat de la Convention de Minamata sur le mercure
report-author-basel = Secrétariat des Conventions de Bâle, de Rotterdam et de Stockholm
report-author-rotterdam = Secrétariat des Conventions de Bâle, de Rotterdam et de Stockholm
report-author-stockholm = Secrétariat des Conventions de Bâle, de Rotterdam et de Stockholm
report-ordinal-1 = première
report-ordinal-2 = deuxième
report-ordinal-3 = troisième
report-ordinal-4 = quatrième
report-ordinal-5 = cinquième
report-ordinal-6 = sixième
report-ordinal-7 = septième
report-ordinal-8 = huitième
report-ordinal-9 = neuvième
report-ordinal-10 = dixième
report-ordinal-11 = onzième
report-ordinal-12 = douzième
report-month-1 = janvier
report-month-2 = février
report-month-3 = mars
report-month-4 = avril
report-month-5 = mai
report-month-6 = juin
report-month-7 = juillet
report-month-8 = août
report-month-9 = septembre
report-month-10 = octobre
report-month-11 = novembre
report-month-12 = décembre

## Rapport d'application
report-impl-title = Coopération et partage de services entre les secrétariats : application de la décision { $decision }
report-impl-summary = La présente note expose la suite donnée à cette demande pendant l’exercice biennal { $biennium } : { $agreements ->
        [one] { $agreements } accord de recouvrement des coûts a encadré
       *[other] { $agreements } accords de recouvrement des coûts ont encadré
    } les services que les secrétariats ont partagés et se sont achetés, et { $total } { $currency } ont été recouvrés ; { $activities ->
        [one] { $activities } activité de coopération a été menée
       *[other] { $activities } activités de coopération ont été menées
    }. L’annexe I présente celles prévues pour { $next } selon les deux scénarios de financement.
report-impl-intro = Dans sa décision { $decision }, la Conférence des Parties a prié la Secrétaire exécutive de poursuivre la coopération et le partage de services avec le Secrétariat des conventions de Bâle, de Rotterdam et de Stockholm selon le principe du recouvrement des coûts, et de lui faire rapport sur son application à sa { $ordinal } réunion. La présente note répond à cette demande. Tous les montants sont en { $currency } et proviennent du grand livre interfonds et des données des activités.
report-impl-decision-title = La décision { $decision } est intitulée « { $title } ».
report-mandates-caption = Demandes de la décision { $decision } et leur état
report-sec-mandate = Introduction et mandat
report-sec-framework = Le cadre stable de coopération et de partage de services
report-framework-intro = Le cadre repose sur des accords écrits entre un prestataire et les secrétariats qui le rémunèrent, pour un exercice biennal, approuvés par le chef de chaque secrétariat concerné.
report-principle-cost-recovery = Recouvrement des coûts : les services sont facturés au barème du prestataire en vigueur à la date de la prestation, avec les dépenses d'appui aux programmes au taux convenu ; chaque facturation est inscrite une seule fois au grand livre interfonds.
report-principle-autonomy = Autonomie : chaque secrétariat n'approuve que ses propres accords et avenants ; les responsabilités de chaque chef demeurent inchangées.
report-principle-budget = Programme de travail et budget : chaque accord est payé par des fonds d'affectation spéciale nommés et à leur profit, dans la limite des budgets biennaux approuvés.
report-agreements-caption = Accords de l'exercice { $biennium } : qui fournit quoi à qui
report-sec-costs = Services partagés et coûts recouvrés
report-costs-intro = Pendant l’exercice biennal { $biennium }, { $charges ->
        [one] { $charges } facturation couvrant
       *[other] { $charges } facturations couvrant
    } { $deliveries ->
        [one] { $deliveries } prestation acceptée a été inscrite
       *[other] { $deliveries } prestations acceptées ont été inscrites
    } au grand livre, pour un total de { $total } { $currency }.
report-by-direction-caption = Coûts recouvrés par sens (du prestataire au bénéficiaire)
report-by-service-caption = Coûts recouvrés par accord et services, par trimestre
report-by-service-note = Les facturations sont calculées par accord et par période ; un accord qui couvre plusieurs services est présenté avec chacun d'eux.
report-by-fund-caption = Coûts recouvrés par fonds prestataire et fonds payeur
report-by-quarter-caption = Coûts recouvrés par trimestre
report-chart-direction = Coûts recouvrés par sens
report-chart-service = Coûts recouvrés par accord
report-chart-status = Activités par état d'avancement
report-chart-participants = Participants par région et par sexe
report-chart-scenarios = Scénarios de financement pour { $next }
report-chart-note = Montants en { $currency } ; les chiffres sont ceux du tableau ci-dessus.
report-chart-note-counts = Nombres ; les chiffres sont ceux du tableau ci-dessus.
report-sec-activities = Activités de coopération
report-activities-intro = Les secrétariats ont mené les activités de coopération suivantes en { $biennium }. Sauf indication contraire, les activités n'ont d'incidences financières que sur le temps de travail du personnel, estimé aux barèmes de l'exercice.
report-activities-caption = Activités de coopération de { $biennium }
report-by-status-caption = Activités par état d'avancement
report-actions-caption = Mesures de suivi de l'équipe spéciale conjointe
report-sec-training = Formation des présidents et des négociateurs potentiels
report-training-intro = { $events ->
        [one] { $events } session de formation conjointe a eu lieu
       *[other] { $events } sessions de formation conjointes ont eu lieu
    }, avec { $participants ->
        [one] { $participants } participant
       *[other] { $participants } participants
    }, dont { $women ->
        [one] { $women } femme
       *[other] { $women } femmes
    }.
report-events-caption = Sessions de formation
report-participants-caption = Participants par groupe régional et par sexe
report-training-contributions-caption = Contributions de chaque organisation à la formation
report-online = En ligne
report-sec-budget = Incidences budgétaires
report-budget-intro = Le tableau présente, pour chaque fonds d'affectation spéciale, son budget pour { $biennium }, les recettes de recouvrement des coûts et d'appui aux programmes qu'il a perçues, les services qui lui ont été facturés et le coût estimatif des activités de coopération qu'il finance.
report-budget-caption = Incidences budgétaires par fonds, { $biennium } ({ $currency })
report-sec-annex = Activités de coopération prévues pour { $next }
report-annex-intro = Les activités ci-dessous sont prévues pour { $next }. Leur coût est présenté selon deux scénarios de financement : le niveau actuel en valeur nominale (aux barèmes de { $biennium }) et les besoins prévus (aux barèmes de { $next }).
report-annex-caption = Activités de coopération prévues, { $next } : coût estimatif par organisation ({ $currency })
report-scenarios-caption = Scénarios de financement par fonds, { $next } ({ $currency })
report-by-quarter-annex = Les coûts recouvrés au titre de chaque accord pour chaque trimestre de l’exercice figurent à l’annexe II.
report-sec-annex-quarters = Coûts recouvrés par accord et par trimestre, { $biennium }
report-agreement-quarter-intro = Le tableau présente les coûts recouvrés au titre de chaque accord auprès de chaque secrétariat payeur pour chaque trimestre de { $biennium }, dépenses d’appui aux programmes comprises.
report-agreement-quarter-caption = Coûts recouvrés par accord et par trimestre, { $biennium }, dépenses d’appui aux programmes comprises ({ $currency })
report-sec-action = Mesures que pourrait prendre la Conférence des Parties
report-action-intro = La Conférence des Parties souhaitera peut-être adopter une décision libellée comme suit :
report-draft-title = Projet de décision { $mark }-{ $meeting }/[…] : coopération et partage de services entre les secrétariats
report-draft-opening = La Conférence des Parties,
report-draft-recalling-lead = Rappelant
report-draft-recalling = sa décision { $decision },
report-draft-considered-lead = Ayant examiné
report-draft-considered = la note du secrétariat sur l’application de la décision { $decision } ({ $symbol }),
report-draft-takes-note-lead = Prend note
report-draft-takes-note = du rapport sur l’application de la décision { $decision }, notamment des services partagés et des coûts recouvrés entre les secrétariats pendant l’exercice biennal { $biennium } ;
report-draft-welcomes-lead = Se félicite
report-draft-welcomes = du cadre stable de coopération et de partage de services entre les secrétariats, fondé sur des accords de recouvrement des coûts approuvés par le chef de chaque secrétariat concerné, et de l’aperçu des activités de coopération prévues dans ce cadre pour l’exercice biennal { $next } ;
report-draft-requests-lead = Prie
report-draft-requests = le secrétariat de poursuivre la coopération et le partage de services dans ce cadre, conformément au programme de travail et au budget, et de lui faire rapport sur leur mise en œuvre à sa { $nextordinal } réunion.
report-new-activity = nouvelle
report-total = Total
report-percent = { $value } %
report-version-status = version { $version }, { $status }

## Relevés
report-statement-title = Relevé de recouvrement des coûts : accord { $agreement }, { $period }
report-statement-summary = Établi par { $provider } au titre de l'accord { $agreement } ({ $title }) ; dépenses d'appui aux programmes au taux de { $psc }.
report-statement-charges = Facturations
report-statement-charges-caption = Facturations de { $period } ({ $currency })
report-statement-deliveries = Prestations
report-statement-deliveries-caption = { $deliveries ->
        [one] { $deliveries } prestation de { $period }
       *[other] { $deliveries } prestations de { $period }
    }
report-statement-rounding = Le coût de chaque prestation est exact (affiché avec quatre décimales) ; la somme est arrondie une seule fois au centime, puis les dépenses d'appui aux programmes sont ajoutées.
report-fx-rate = 1 USD = { $rate } { $currency }
report-fx-used = { $rates } ({ $month })
report-statement-fx = Une dépense dans une autre monnaie est convertie au taux de change opérationnel de l'Organisation des Nations Unies du mois : son coût est le montant divisé par le taux de sa monnaie et, si l'accord n'est pas en dollars des États-Unis, multiplié par le taux de la monnaie de l'accord.
report-fund-title = Relevé du fonds { $fund } ({ $name }), { $biennium }
report-fund-summary = Fonds { $fund } de { $organisation } : budget et réalisations pour { $biennium }, et soldes avec les autres fonds.
report-fund-budget-actual = Budget et réalisations
report-fund-summary-caption = Budget et réalisations, { $biennium } ({ $currency })
report-fund-lines-caption = Lignes budgétaires de { $biennium }
report-fund-budget-left = Budget moins services reçus
report-fund-other-funds = Créances et dettes envers les autres fonds
report-fund-other-funds-intro = Facturations de l'exercice à chaque autre fonds et par chacun d'eux, et soldes que le grand livre détient avec lui.
report-fund-other-caption = Soldes avec les autres fonds

## Titres de colonnes
report-col-paragraph = Paragraphe
report-col-request = Demande
report-col-addressee = Destinataire
report-col-tracking = Suivi
report-col-status = État
report-col-activities = Activités
report-col-note = Dernière note
report-col-agreement = Accord
report-col-title = Intitulé
report-col-kind = Type
report-col-provider = Prestataire
report-col-recipient = Bénéficiaire
report-col-recipients = Payé par
report-col-services = Services
report-col-service = Service
report-col-ceiling = Plafond
report-col-psc-rate = Taux d'appui
report-col-currency = Monnaie
report-col-direct = Coût direct
report-col-psc = Appui aux programmes
report-col-total = Total
report-col-direction = Sens
report-col-provider-fund = Fonds prestataire
report-col-payer-fund = Fonds payeur
report-col-quarter = Trimestre
report-col-code = Code
report-col-category = Catégorie
report-col-lead = Chef de file
report-col-partners = Partenaires
report-col-mandate = Mandat
report-col-funding = Financement
report-col-estimate = Coût estimatif
report-col-count = Nombre
report-col-action = Mesure
report-col-owner = Responsable
report-col-due = Échéance
report-col-bodies = Organes
report-col-dates = Dates
report-col-place = Lieu
report-col-participants = Participants
report-col-women = Femmes
report-col-region = Groupe régional
report-col-organisation = Organisation
report-col-staff-days = Jours de travail
report-col-amount = Montant
report-col-fund = Fonds
report-col-fund-name = Nom
report-col-budget = Budget
report-col-income-direct = Recettes de recouvrement
report-col-income-psc = Recettes d'appui
report-col-services-received = Services reçus
report-col-net = Solde
report-col-activities-estimate = Activités de coopération (estimation)
report-col-current-level = Niveau actuel (nominal)
report-col-projected-needs = Besoins prévus
report-col-difference = Différence
report-col-deliveries = Prestations
report-col-date = Date
report-col-description = Description
report-col-quantity = Quantité
report-col-grade = Classe
report-col-rate = Taux
report-col-expense = Dépense
report-col-fx = Taux de change opérationnel
report-col-cost = Coût
report-col-item = Poste
report-col-charged-to = Facturé à ce fonds
report-col-charged-by = Facturé par ce fonds
report-col-receivable = Créance
report-col-payable = Dette

## Libellés des valeurs
report-gender-female = Femmes
report-gender-male = Hommes
report-gender-other = Autre
report-region-african = États d'Afrique
report-region-asia-pacific = États d'Asie et du Pacifique
report-region-eastern-european = États d'Europe orientale
report-region-latin-american-caribbean = États d'Amérique latine et des Caraïbes
report-region-western-european-others = États d'Europe occidentale et autres États
report-tracking-operational = Opérationnel
report-tracking-informational = Informatif
report-mandate-active = En cours
report-mandate-implemented = Exécuté
report-mandate-superseded = Remplacé
report-kind-purchase = Achat
report-kind-sharing = Partage
report-version-draft = projet
report-version-proposed = en attente d'approbation
report-version-active = en vigueur
report-version-superseded = remplacée
report-version-withdrawn = retirée
report-category-administrative = Administrative
report-category-programmatic = Programmatique
report-category-technical = Technique
report-category-technical-assistance = Assistance technique
report-category-training = Formation
report-category-knowledge-management = Gestion des connaissances
report-category-conference-servicing = Service des conférences
report-funding-core-budget = Budget de base
report-funding-subject-to-resources = Sous réserve de la disponibilité des ressources
report-funding-voluntary-funding = Contributions volontaires
report-funding-unfunded = Non financée
report-status-planned = Prévue
report-status-ongoing = En cours
report-status-completed = Achevée
report-status-postponed = Reportée
report-status-cancelled = Annulée
report-action-open = Ouverte
report-action-done = Faite
report-action-cancelled = Annulée
report-actor-executive-secretary = Secrétaire exécutive
report-actor-executive-director = Directrice exécutive
report-actor-secretariat = Secrétariat
report-actor-parties = Parties
report-actor-non-parties = Non-Parties
report-actor-stakeholders = Parties prenantes
report-actor-governments = Gouvernements
report-actor-organizations = Organisations
report-actor-bureau = Bureau
report-actor-global-environment-facility = Fonds pour l'environnement mondial

# La description d'une activité dans le fichier IATI (données ouvertes), phrase après phrase.
iati-list-separator = { " ; " }
iati-description-lead = { $category } : activité dirigée par { $lead }, exercice biennal { $biennium }.
iati-description-partners = Partenaires : { $partners }.
iati-description-mandates = Mandats : { $mandates }.
iati-description-funding = Financement : { $funding }.
iati-description-cost = Coût estimatif : { $shares }.
iati-description-share = { $organisation } ({ $fund }) : { $amount } { $currency }
