# Tandem — français. Chaque clé ici doit aussi être dans en.ftl (un test le vérifie).

## Premier lancement
welcome-title = Bienvenue dans Tandem
welcome-intro = Votre carnet pour cheminer avec les personnes. Il reste sur cet appareil, verrouillé par une phrase de passe que vous seul·e connaissez.
your-name = Votre nom (tel que l'équipe vous connaît)
passphrase = Phrase de passe
passphrase-new = Nouvelle phrase de passe
passphrase-again = La même phrase de passe, encore
passphrase-current = Phrase de passe actuelle
passphrase-advice = Quelques mots dont vous vous souviendrez valent mieux qu'un mot de passe court. Personne ne peut la retrouver si elle est oubliée.
strength-too-short = Trop courte : au moins 8 caractères
strength-weak = Faible : ajoutez quelques mots
strength-fair = Correcte : un ou deux mots de plus la rendent solide
strength-strong = Solide
continue = Continuer
back = Retour
working = En cours…
team-choice-intro = Votre carnet est presque prêt. Comment allez-vous travailler ?
team-create-title = Créer une équipe sur un relais
team-create-submit = Mettre l'équipe sur le relais
team-join-title = Rejoindre mon équipe
team-join-submit = Rejoindre l'équipe
team-local-title = Utiliser sans équipe pour l'instant
team-local-hint = Tout reste sur cet appareil. Vous pourrez le mettre sur un relais plus tard, dans Équipe et synchro.
team-local-submit = Commencer sur cet appareil seulement
team-local-explain = Ce carnet est sur cet appareil seulement. Pour le partager avec votre équipe, donnez l'adresse du relais de l'équipe.
default-team-name = Mon carnet
relay-url = Adresse du relais
relay-token = Jeton de création d'équipe (donné par qui gère le relais)
relay-token-hint = Laissez vide pour un relais de démonstration. Il permet à cet appareil de créer une équipe sur le relais ; il n'est pas conservé.
team-name = Nom de l'équipe
invite-code = Code d'invitation

## Déverrouiller
unlock = Déverrouiller
unlocking = Déverrouillage…
lock = Verrouiller

## Navigation
nav-label = Principal
nav-today = Aujourd'hui
nav-people = Personnes
nav-team = Équipe et synchro
nav-settings = Réglages
nav-report = Bilan

## Aujourd'hui
today-title = Aujourd'hui
new-encounter = Nouvelle rencontre
followups-due = Suivis à faire
followups-none = Rien à faire cette semaine.
followup-done = Fait
followup-done-saved = Suivi marqué comme fait.
recent-encounters = Rencontres récentes
recent-none = Pas encore de rencontre.
street-log = Une personne que je ne connais pas
# Dans les messages qui disent un jour, $date est le jour en mots et $rel sa place par rapport
# à aujourd'hui : today, yesterday, tomorrow, weekday (à six jours près) ou date.
due-late = { $rel ->
    [date] en retard depuis le { $date }
   *[other] en retard depuis { $date }
}
due-today = pour aujourd'hui
due-on = { $rel ->
    [date] d'ici le { $date }
   *[other] d'ici { $date }
}

## Nouvelle rencontre
who = Avec qui
person-search-placeholder = Nom ou surnom
person-add-named = Ajouter « { $name } » comme nouvelle personne
who-unknown = Une personne que je ne connais pas
unknown-description = Comment la reconnaître (facultatif)
change = Changer
when = Quand
where = Où
notes = Ce qui s'est passé
details = Plus de détails
kind = Type de rencontre
kind-none = Non précisé
duration = Durée (minutes)
domains = Domaines de vie abordés
goals-touched = Ses objectifs abordés
given = Ce qui a été donné
referrals = Références
follow-up = Suivi à faire
follow-up-due = Suivi d'ici le
debrief = J'aimerais un débriefing
draft-saved = Brouillon gardé
save = Enregistrer
discard = Abandonner
encounter-saved = Rencontre enregistrée.
invalid-form = Certains champs sont à revoir.
invalid-who = Choisissez la personne, ou « Une personne que je ne connais pas ».
invalid-when = Écrivez la date et l'heure ainsi : 2026-11-25 14:02.
invalid-duration = Des minutes, en chiffres (de 1 à 1440).
invalid-date = Écrivez la date ainsi : 2026-11-25.
invalid-follow-up-unknown = Un suivi demande une personne connue.

## Personnes
people-title = Personnes
search = Chercher
person-add = Ajouter une personne
person-name = Le nom qu'elle choisit
person-nicknames = Autres noms (séparés par des virgules)
pronouns = Pronoms
remember = À retenir
person-saved = Personne ajoutée.
people-none = Personne pour l'instant.
last-seen = vu·e { $when }
next-check-in-on = { $rel ->
    [date] point le { $date }
   *[other] point { $date }
}
check-in-late = { $rel ->
    [date] point en retard depuis le { $date }
   *[other] point en retard depuis { $date }
}
open-goals = { $n ->
    [one] 1 objectif
   *[other] { $n } objectifs
}
open-followups = { $n ->
    [one] 1 suivi
   *[other] { $n } suivis
}
has-conflicts = deux versions à regarder
invalid-person-name = Écrivez le nom qu'elle choisit.
invalid-your-name = Écrivez votre nom.
invalid-passphrases-differ = Les deux phrases de passe sont différentes.
invalid-relay-and-team = Écrivez l'adresse du relais et le nom de l'équipe.
invalid-invite-code = Collez ou tapez le code d'invitation.

## Fiche
also-called = aussi appelé·e { $names }
conflicts-title = Deux versions
conflicts-hint = Ceci a été modifié sur deux appareils en même temps. Rien n'est perdu : choisissez la version à garder.
conflict-field = Champ « { $field } » :
keep = Garder
conflict-resolved = Choix enregistré.
contact = Comment la joindre
goals-title = Ses objectifs, dans ses mots
next-step = Prochaine étape : { $step }
goal-new = Un nouvel objectif, dans ses mots
add = Ajouter
followups-open = Suivis ouverts
last-encounters = Dernières rencontres (sur { $n })
consent-title = Consentement
consent-given-on = { $rel ->
    [date] donné le { $date }
   *[other] donné { $date }
}
consent-withdrawn-on = { $rel ->
    [date] retiré le { $date }
   *[other] retiré { $date }
}
consent-none = Aucun consentement noté pour l'instant.
speaks = Parle { $languages }
options-title = Ce que les formulaires proposent
options-hint = Les types de rencontre, les domaines de vie et ce qui peut être donné, pour toute l'équipe. Les fiches déjà écrites gardent les leurs.
options-kinds = Types de rencontre
options-domains = Domaines de vie
options-given = Ce qui peut être donné
option-new = Ajouter un choix
option-remove = Retirer
option-remove-named = Retirer { $option }
profile-edit = Modifier le profil
profile-title = Profil
profile-saved = Profil enregistré.
languages = Langues (séparées par des virgules)
consent-new = Noter un consentement
consent-what = Ce à quoi la personne consent, en mots simples
consent-uses = Pour
consent-how = Comment il a été donné (de vive voix, formulaire signé…)
consent-save = Noter le consentement
consent-saved = Consentement noté.
consent-incomplete = Dites à quoi la personne consent et cochez au moins un usage.
consent-withdraw = Retiré aujourd'hui
goal-domain = Domaine de vie
goal-domain-none = Aucun
erase-title = Effacer ce dossier
erase-explain = Si la personne le demande, tout ce qui est écrit sur elle est effacé de cet appareil, des autres appareils de l'équipe et du relais. Proposez-lui d'abord une copie.
erase-start = Effacer ce dossier…
erase-warning = Effacer tout ce qui concerne { $name }, définitivement ? C'est irréversible.
erase-confirm = Effacer définitivement
erase-cancel = Garder le dossier
person-erased = Dossier effacé.

## Objectif
goal-title = Objectif
goal-words = Dans ses mots
goal-status = Où ça en est
goal-check-in = Prochain point
goal-steps = Petites étapes
step-new = Une nouvelle petite étape
goal-history = Historique de cet objectif
goal-saved = Objectif enregistré.
someone = Quelqu'un

## Équipe et synchro
team-title = Équipe et synchro
sync-title = Synchronisation
sync-now = Synchroniser maintenant
sync-report = Envoyé { $pushed }, reçu { $pulled } ({ $records } dossiers mis à jour)
members = Membres
role-admin = admin
role-member = membre
you = vous
devices = Appareils
devices-show = Voir les appareils de l'équipe
devices-count = { $n ->
    [one] 1 appareil
   *[other] { $n } appareils
}
this-device = cet appareil
revoked = retiré
revoke = Retirer
device-revoked = Appareil retiré de l'équipe.
invite-title = Inviter un appareil
invite-hint = Montrez le code en personne, à la clinique. Il ne sert qu'une fois.
invite-valid-for = Valable
invite-create = Créer un code d'invitation
invite-qr = Le code d'invitation en code QR
hours = { $n ->
    [one] 1 heure
   *[other] { $n } heures
}
team-on-relay = L'équipe est sur le relais.

## Badge de synchro
sync-badge-label = Synchro
sync-syncing = Synchronisation…
sync-syncing-progress = Synchronisation { $done }/{ $total }
sync-offline = Hors ligne
sync-offline-waiting = Hors ligne · { $n ->
    [one] 1 changement en attente
   *[other] { $n } changements en attente
}
sync-waiting = { $n ->
    [one] 1 changement en attente
   *[other] { $n } changements en attente
}
sync-set-aside = { $n ->
    [one] 1 changement de l'équipe n'a pas pu être lu sur cet appareil. Il est mis de côté ; tout le reste est arrivé. L'appareil d'un membre est peut-être abîmé ou détourné : vérifiez les appareils de l'équipe.
   *[other] { $n } changements de l'équipe n'ont pas pu être lus sur cet appareil. Ils sont mis de côté ; tout le reste est arrivé. L'appareil d'un membre est peut-être abîmé ou détourné : vérifiez les appareils de l'équipe.
}
team-doc-claims = { $n ->
    [one] Le document d'équipe affirme 1 chose sur les rôles des membres ou les clés des appareils que le registre de l'équipe ne dit pas. Elle a été ignorée : rôles et clés viennent du registre. Un membre détourne peut-être son appareil : vérifiez les appareils de l'équipe.
   *[other] Le document d'équipe affirme { $n } choses sur les rôles des membres ou les clés des appareils que le registre de l'équipe ne dit pas. Elles ont été ignorées : rôles et clés viennent du registre. Un membre détourne peut-être son appareil : vérifiez les appareils de l'équipe.
}
sync-synced-at = Synchronisé à { $time }
sync-local = Sur cet appareil seulement
sync-revoked = Retiré de l'équipe
sync-relay-went-back = Le relais est revenu en arrière : les changements restent ici
sync-team-record-refused = Le relais a proposé un changement d'équipe qu'aucun·e admin n'a signé : en pause, les changements restent ici
sync-failed = La synchro demande une vérification
sync-starting = Démarrage de la synchro…

## Réglages
settings-title = Réglages
settings-language = Langue
settings-auto-lock = Verrouiller après
auto-lock-hint = Tandem se verrouille aussi quand la fenêtre est cachée. Le brouillon en cours est gardé.
minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
passphrase-change = Changer la phrase de passe
passphrase-changed = Phrase de passe changée.
settings-saved = Enregistré.
settings-reminders = Rappel du jour
settings-reminders-on = Me rappeler ce qui est à faire
settings-reminder-time = À
settings-reminders-hint = Une fois par jour, une notification sur cet ordinateur dit combien de vos suivis sont à faire et combien de vos personnes ont un point d'étape sur un objectif. Elle ne montre jamais de nom ni de note.
## The reminder itself (a desktop notification, raised by the app's shell): counts only.
reminder-title = Tandem : ce qui est à faire
reminder-follow-ups = { $n ->
    [one] { $n } suivi à faire aujourd'hui ou en retard.
   *[other] { $n } suivis à faire aujourd'hui ou en retard.
}
reminder-check-ins = { $n ->
    [one] { $n } personne a un point d'étape sur un objectif.
   *[other] { $n } personnes ont un point d'étape sur un objectif.
}

## Erreurs
error-locked = Tandem est verrouillé : déverrouillez-le d'abord.
error-no-vault = Il n'y a pas encore de carnet sur cet appareil.
error-vault-exists = Un carnet existe déjà sur cet appareil.
error-wrong-passphrase = Cette phrase de passe n'ouvre pas ce carnet.
error-too-many-attempts = Trop d'essais : attendez un peu, puis réessayez.
error-vault-in-use = Le carnet est ouvert dans un autre programme.
error-vault-too-new = Ce carnet vient d'une version plus récente de Tandem : mettez Tandem à jour.
error-vault-damaged = Un fichier du carnet est endommagé.
error-not-found = Ceci n'est pas (ou plus) dans le carnet.
error-ambiguous = Plusieurs personnes correspondent : précisez.
error-invalid-input = Quelque chose d'écrit n'est pas accepté : vérifiez les champs.
error-io = La lecture ou l'écriture sur cet appareil a échoué.
error-disk-full = Le stockage de cet appareil est plein : rien n'a été enregistré. Libérez de la place, puis réessayez.
error-offline = Le relais ne répond pas. Vos changements attendent en sécurité et partiront dès qu'il répondra.
error-relay-refused = Le relais a refusé (pas autorisé).
error-team-creation-refused = Le relais n'a pas permis à cet appareil de créer une équipe : demandez le jeton de création d'équipe à qui gère le relais, ou vérifiez celui que vous avez tapé.
error-invite-invalid = Ce code d'invitation n'est plus utilisable : il a expiré, a déjà servi, ou date d'avant le retrait d'un appareil de l'équipe. Demandez-en un nouveau à un membre de l'équipe.
error-revoked = Cet appareil a été retiré de l'équipe.
error-relay-went-back = Le journal du relais est revenu en arrière de ce que cet appareil avait vu (restauré depuis une sauvegarde ?). Rien ne lui est envoyé ni pris : vos changements restent sur cet appareil jusqu'à ce qu'un·e admin vérifie le relais.
error-team-record-refused = Le relais a proposé un changement d'équipe qu'aucun·e admin n'a signé (ou est revenu en arrière sur le registre de l'équipe). Il a été refusé et la synchronisation est en pause : vos changements restent sur cet appareil, et elle reprend d'elle-même dès que les réponses du relais sont vérifiées. Prévenez un·e admin.
error-not-in-team = Ce carnet n'est pas encore dans une équipe sur un relais.
error-too-many-merged = Le dossier d'une personne peut réunir au plus 32 dossiers fusionnés : rien n'a été fusionné.
error-changed-meanwhile = Ceci a changé depuis l'affichage (une synchronisation a apporté du nouveau) : rien n'a été fait. Regardez à nouveau, puis confirmez.
error-internal = Quelque chose s'est mal passé. Votre travail enregistré est en sécurité.
record-fingerprint = Empreinte du registre de l’équipe (chaque appareil de l’équipe affiche la même) :

## Bilan
report-title = Le travail de l'équipe
report-choose = Période
report-last-month = Le mois dernier
report-this-week = Cette semaine
report-this-month = Ce mois-ci
report-this-quarter = Ce trimestre
report-period = Du { $from } au { $to }, compté sur cet appareil
report-encounters = Rencontres
report-people-met = Personnes rencontrées
report-new-people = Nouvelles personnes
report-anonymous = Contacts de rue anonymes
report-anonymous-linked = … dont reliés plus tard à une personne
report-naloxone = Naloxone remise
report-referrals = Références faites
report-referrals-done = … dont réalisées
report-referrals-not-happened = … dont non abouties
report-follow-ups-done = Suivis faits
report-follow-ups-overdue = Suivis en retard
report-goals-reached = Objectifs atteints
report-time = Temps passé (quand il est noté)
report-debriefs = Débriefings demandés
report-per-week = Rencontres par semaine
report-given = Ce qui a été remis
report-goals-by-status = Objectifs par état
report-week-of = Semaine du
report-item = Élément
report-status = État
report-export-csv = Enregistrer les chiffres en CSV
report-export-hint = Pour un tableur (LibreOffice, Excel) : les chiffres de cette période seulement, sans nom, rien par membre ; un chiffre sous 5 est écrit « <5 ».
report-saved = Enregistré : { $path }
report-export-research = Enregistrer l'export pour la recherche (CSV)
report-export-research-hint = Une ligne par rencontre des personnes dont le consentement enregistré couvre la recherche, chacune sous une clé faite pour ce fichier seulement : ni nom, ni note, ni lieu, ni texte, rien par membre. Relisez-le avant qu'il quitte l'équipe.
report-research-counts = { $encounters ->
    [one] { $encounters } rencontre
   *[other] { $encounters } rencontres
} de { $people ->
    [one] { $people } personne
   *[other] { $people } personnes
} ; { $left ->
    [one] { $left } personne rencontrée dans la période est laissée de côté
   *[other] { $left } personnes rencontrées dans la période sont laissées de côté
} (leur consentement ne couvre pas la recherche).
## Relais et remplacement
cover-open = Relais et remplacement
cover-title = Relais et remplacement
cover-hint = Quand un membre est absent, les personnes qu'il accompagne et ses suivis ouverts attendent ici que quelqu'un les prenne. Rien ici ne compte le travail de personne.
away-title = Absents
away-none = Personne n'est absent.
away-who = Membre
away-choose = Choisir un membre
away-reason = Pourquoi
away-leave = En congé
away-left = A quitté l'équipe
away-submit = Marquer absent
away-marked = Marqué absent.
away-back = De retour
back-marked = Marqué de retour.
needs-title = Attend quelqu'un
needs-people = Personnes
needs-people-none = Chaque personne a quelqu'un.
needs-followups = Suivis
needs-followups-none = Aucun suivi n'attend quelqu'un.
nobody = personne
accompanied-was = Accompagnée par { $names }
handover-note = Note pour la prochaine paire aidante (facultatif)
take-person = Je l'accompagne
take-followup = Je m'en charge
person-taken = Vous l'accompagnez désormais.
followup-taken = Ce suivi est le vôtre.
team-followups-title = Les suivis de l'équipe (7 prochains jours)
responsible-named = Responsable : { $name }
is-away = absent·e
accompanied-by = Accompagnée par : { $names }
handover-notes = Notes de relais
handover-by = { $name }, { $date }
followup-give = Confier à
followup-give-button = Confier
followup-given = Suivi confié.
handover-written-on = { $rel ->
    [date] le { $date }
   *[other] { $date }
}
## Ressources, références et débriefings
places-open = Ressources
places-title = Ressources où orienter les gens
places-hint = La liste de l'équipe : hébergements, banques alimentaires, cliniques, aide juridique… Sur chaque appareil de l'équipe, hors ligne aussi.
places-search = Trouver une ressource
places-list = La liste de l'équipe
places-none = Aucune ressource sur la liste pour l'instant.
places-none-found = Aucune ressource ne correspond.
place-new = Une nouvelle ressource
place-add-open = Ajouter une ressource
place-name = Nom
place-name-needed = Une ressource a besoin d'un nom.
place-kind = Type de ressource
place-kind-none = Aucun type
place-address = Adresse
place-phone = Téléphone
place-hours = Heures d'ouverture
place-notes = Notes pour l'équipe
place-add = Ajouter à la liste
place-cancel = Annuler
place-added = Ressource ajoutée.
place-saved = Ressource enregistrée.
place-checked = Notée comme toujours juste.
place-removed = Retirée de la liste.
place-checked-by = { $rel ->
    [today] Vérifiée aujourd'hui par { $name }
    [yesterday] Vérifiée hier par { $name }
    [date] Vérifiée le { $date } par { $name }
   *[other] Vérifiée { $date } par { $name }
}
place-check = Toujours juste
place-edit = Modifier
place-remove = Retirer de la liste
place-remove-warning = Retirer « { $name } » de la liste ? Les références déjà faites la gardent.
place-remove-confirm = Oui, la retirer
place-conflict = « { $field } » a été modifié sur deux appareils en même temps. Choisissez la version à garder :
referral-picked = Ressources choisies
referral-unpick = Enlever { $name }
referral-place-search = Une ressource de la liste de l'équipe
referral-no-place = Aucune ressource de la liste ne correspond : écrivez-la plus bas.
referrals-other = Autres références, en mots (séparées par des virgules)
referred-to = Orienté·e vers
referral-done = Faite
referral-didnt-happen = Pas faite
referral-unknown = On ne sait pas
referral-unknown-yet = On ne sait pas encore
referral-noted = C'est noté.
noted-by = { $rel ->
    [today] noté aujourd'hui par { $name }
    [yesterday] noté hier par { $name }
    [date] noté le { $date } par { $name }
   *[other] noté { $date } par { $name }
}
debriefs-open = Débriefings
debriefs-title = Débriefings demandés
debriefs-hint = Un·e pair·e qui a demandé un débriefing après une rencontre, pour son propre soutien. Rien ici ne compte ni ne compare personne.
debriefs-waiting = Pas encore faits
debriefs-none-waiting = Aucun débriefing n'attend.
debriefs-done = Faits
debriefs-none-done = Aucun de fait pour l'instant.
debrief-asked-by = Demandé par { $name }
debrief-mark-done = Il a eu lieu
debrief-marked = Débriefing noté comme fait.
debrief-done-by = { $rel ->
    [today] Fait : noté aujourd'hui par { $name }
    [yesterday] Fait : noté hier par { $name }
    [date] Fait : noté le { $date } par { $name }
   *[other] Fait : noté { $date } par { $name }
}

## Contacts de rue et dossiers fusionnés
street-open = Contacts de rue
street-title = Contacts de rue
street-hint = Les personnes rencontrées dans la rue dont vous ne connaissez pas encore le nom. Si vous apprenez qui était quelqu'un, reliez le contact à son dossier : il s'y affiche, et compte toujours dans son mois.
street-month = Mois
street-month-before = Mois précédent
street-month-after = Mois suivant
street-contact = Contact de rue
street-none = Aucun contact de rue ce mois-ci.
street-recorded-by = noté par { $name }
street-given = Remis : { $items }
street-was = C'était { $name }
street-linked-by = { $rel ->
    [today] relié aujourd'hui par { $by }
    [yesterday] relié hier par { $by }
    [date] relié le { $date } par { $by }
   *[other] relié { $date } par { $by }
}
street-link-conflict = Relié aussi au même moment, sur un autre appareil, à : { $names }. Reliez-le à nouveau pour trancher.
street-unknown-record = un dossier absent de cet appareil
street-link-start = C'était…
street-link-who = Qui était-ce ?
street-link-cancel = Pas maintenant
street-unlink = Ce n'est pas cette personne : délier
street-linked = Relié : il s'affiche dans son dossier.
street-unlinked = Délié : c'est de nouveau un contact anonyme.
person-none-found = Personne n'a été trouvé sous ce nom.
merged-title = Dossiers fusionnés avec celui-ci
merged-hint = Tout ce qui y est écrit s'affiche ici. Si l'un n'est pas cette personne, retirez-le.
merged-by = { $rel ->
    [today] fusionné aujourd'hui par { $by }
    [yesterday] fusionné hier par { $by }
    [date] fusionné le { $date } par { $by }
   *[other] fusionné { $date } par { $by }
}
unmerge = Pas la même personne : le retirer
person-unmerged = Retiré : c'est de nouveau un dossier à part.
merge-title = La même personne qu'un autre dossier ?
merge-start = Fusionner un autre dossier avec celui-ci…
merge-who = Quel dossier est aussi cette personne ?
merge-question = Fusionner « { $other } » avec « { $keep } » ? Tout ce que contiennent les deux est gardé, et vous pourrez le retirer.
merge-confirm = Fusionner
merge-cancel = Pas maintenant
person-merged = Fusionné : les deux dossiers s'affichent ici.
erase-also = { $n ->
    [one] Cela efface aussi le dossier fusionné avec lui : { $names }.
   *[other] Cela efface aussi les { $n } dossiers fusionnés avec lui : { $names }.
}
