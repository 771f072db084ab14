### Les mots de la commande `tandem`, en français. Mêmes clés que en.ftl (les tests de
### src/i18n.rs le vérifient); les tests du CLI comparent ce texte.

## Communs à plusieurs vues
list-none = (aucun)
life-domains = domaines de vie
this-device = cet appareil

## Les personnes (`person list`, `person search`)
people-none-found = Personne de trouvé.
people-column-name = NOM
people-column-pronouns = PRONOMS
people-column-last-seen = VU·E LE
people-column-goals = OBJECTIFS
people-column-follow-ups = SUIVIS

## Le profil d'une personne (`brief`, `person show`)
profile-nicknames = autres noms
profile-pronouns = pronoms
profile-languages = langues
profile-contact = joindre
profile-remember = à retenir
profile-started = dossier ouvert le

## Titres du brief et du dossier
heading-goals = Objectifs
heading-last-encounters = Dernières rencontres
heading-open-follow-ups = Suivis à faire
heading-consent = Consentements
heading-follow-ups = Suivis
heading-encounters = Rencontres ({ $count })

## Le brief
brief-last-seen = vu·e le { $time }
brief-never-met = jamais rencontré·e
brief-encounter-count = { $count } rencontres
brief-next-step = prochaine étape

## Objectifs
goal-check-in = prochain point { $date }
goal-updated = Objectif modifié.
goal-step-ticked = Étape cochée.
goal-step-unticked = Étape décochée.

## Rencontres
encounters-none = Aucune rencontre.
encounter-someone-not-known = une personne inconnue
encounter-given = remis
encounter-referrals = références
encounter-debrief = débriefing demandé
encounter-notes-updated = Notes modifiées.

## Suivis
followup-by = d'ici le { $date }
followup-late = en retard
followup-done = Fait.
followups-nothing-due = Rien à faire d'ici le { $date }.
due-column-due = ÉCHÉANCE
due-column-person = PERSONNE
due-column-what = QUOI

## Consentements
consent-given-on = donné le { $date }
consent-withdrawn-on = RETIRÉ le { $date }
consent-withdrawn = Consentement retiré.

## Modifications faites sur deux appareils à la fois
conflict-two-devices = ⚠ modifié sur deux appareils
conflict-several-devices = ⚠ modifié sur plusieurs appareils
conflict-keep = pour garder la valeur N
conflict-kept = Valeur gardée.

## `person …`
person-profile-updated = Profil modifié.
person-export-written = Écrit dans { $path }
person-erase-needs-yes = l'effacement est définitif : relancez avec --yes
person-erase-name-merged = dossiers fusionnés dans celui-ci, effacés avec lui : {$count} ; nommez chacun avec --also ID (tel que `person show` les montre), ou défusionnez-les d'abord
person-erased = Effacé ici ; les appareils de l'équipe et le relais l'effacent à la prochaine synchronisation.

## `vault …`
vault-created = Coffre créé dans { $dir } (équipe: { $team })
vault-unlocked = Déverrouillé: { $team }
vault-people = personnes
vault-members = membres de l'équipe
vault-documents = documents
vault-outbox = changements à envoyer
vault-passphrase-changed = Phrase de passe changée.
vault-indexes-rebuilt = Index reconstruits.
vault-compacted = Coffre compacté.

## `team …`
team-members = Membres
team-device-count = { $count } appareil(s)
team-you = vous
team-settings = Réglages
team-encounter-kinds = types de rencontre
team-given-items = choses remises
team-on-relay = L'équipe est sur le relais.
team-create-refused = Le relais n'a pas permis à cet appareil de créer une équipe. Demandez le jeton de création d'équipe à la personne qui gère le relais et donnez-le avec --relay-token (ou TANDEM_RELAY_TOKEN).
team-invite-code = Code d'invitation (à montrer en personne; il ne sert qu'une fois):
team-invite-valid = Valable { $hours } h. Sur le nouvel appareil: tandem team join CODE --me NOM
team-joined = Équipe rejointe.
team-device-revoked = révoqué
team-revoked = Révoqué: le relais refuse cet appareil dès maintenant.
team-option-added = Ajouté; les appareils de l'équipe le proposent après leur prochaine synchronisation.
team-option-removed = Retiré des formulaires; les fiches qui l'ont le gardent.

## `sync` et `status`
sync-report = Envoyé: { $pushed } changement(s). Reçu: { $pulled } ({ $updated } dossier(s) mis à jour).
sync-refused = Refusé (hors équipe, ou altéré): { $count }.
sync-set-aside = { $count } changement(s) de l'équipe illisible(s) ici: mis de côté, le reste est arrivé.
sync-set-aside-read = { $count } changement(s) mis de côté plus tôt ont pu être lus.
sync-set-aside-held = { $count } changement(s) de l'équipe illisible(s) (mis de côté; un·e admin devrait regarder).
sync-team-doc-claims = Le document d'équipe affirme { $count } chose(s) sur les membres, rôles ou clés que le registre de l'équipe ne dit pas : ignoré.
sync-dropped-erased = { $count } modification(s) non conservée(s) : la personne concernée a été effacée à sa demande.
sync-not-in-team = Pas encore dans une équipe sur un relais.
sync-offline = Hors ligne.
sync-relay-went-back = Le journal du relais est revenu en arrière de ce que cet appareil avait vu (restauré depuis une sauvegarde ?): rien n'est envoyé ni reçu tant qu'un·e admin ne l'a pas vérifié, puis `tandem sync --accept-restored-relay`.
sync-team-record-refused = Le relais a proposé un changement d'équipe qu'aucun·e admin n'a signé, ou est revenu en arrière sur le registre de l'équipe ({ $problem }) : il a été refusé ; rien n'est envoyé ni reçu tant que ses réponses ne sont pas vérifiées. Prévenez un·e admin.
sync-relay-accepted = Le relais est de nouveau accepté: son journal est relu depuis le début et { $count } dossier(s) sont renvoyés.
sync-waiting = { $count } changement(s) en attente.
sync-synced-at = Synchronisé à { $time }.
sync-never = Jamais synchronisé.

## `demo`
demo-people = personnes
demo-encounters = rencontres
demo-follow-ups = suivis
demo-time = durée

record-setup-device = appareil
record-setup-member = membre
record-setup-keep = garder
record-setup-yes = oui
record-setup-no = non
record-setup-differs = diffère (document d’équipe et relais en désaccord)
record-setup-not-on-relay = absent du relais
record-setup-check = Avant d’écrire le registre, vérifiez : chaque appareil gardé appartient à une personne de l’équipe aujourd’hui et est encore entre ses mains ; laissez de côté les appareils perdus, remplacés, inconnus ou de test, et toute ligne qui diffère sauf si vous savez pourquoi (son propriétaire rejoint de nouveau avec une nouvelle invitation).
record-setup-then = Pour l’écrire : { $command } (ajoutez --leave-out APPAREIL pour tout appareil à ne pas garder, puis regardez de nouveau). Lisez ensuite l’empreinte à chaque membre et vérifiez que son appareil affiche la même.
record-setup-done = Registre de l’équipe écrit : { $kept } appareils gardés, { $left } laissés de côté, et une nouvelle clé d’équipe pour ceux gardés. Empreinte : { $fingerprint } (lisez-la à chaque membre : son appareil doit afficher la même).
team-record-fingerprint = Empreinte du registre de l’équipe (la même sur chaque appareil de l’équipe) : { $fingerprint }
## `report`
report-title = Le travail de l'équipe du { $from } au { $to } ({ $zone })
report-encounters = Rencontres
report-people-met = Personnes rencontrées
report-new-people = Nouvelles personnes
report-anonymous = Contacts de rue anonymes
report-naloxone = Naloxone remise
report-referrals-done = … dont réalisées
report-referrals-not-happened = … dont non abouties
report-referrals = Références faites
report-follow-ups-done = Suivis faits
report-follow-ups-overdue = Suivis en retard
report-goals-reached = Objectifs atteints
report-debriefs = Débriefings demandés
report-time = Temps passé ({ $count } rencontres dont la durée est notée)
report-hours = { $hours } h { $minutes } min
report-by-kind = Rencontres par type
report-given = Ce qui a été remis
report-goals-by-status = Objectifs par état
report-goals-by-domain = Objectifs par domaine de vie
report-per-week = Rencontres par semaine
report-none = aucun
report-not-recorded = non précisé
report-csv-written = Les chiffres du rapport sont dans { $path } (tout nombre sous 5 écrit « <5 »).
report-research-written = Écrit dans { $path } : { $encounters } rencontres de { $people } personnes dont le consentement couvre la recherche, une ligne chacune, avec une clé faite pour ce fichier seulement, sans nom, note, lieu ni texte. { $left } personnes rencontrées dans la période sont laissées de côté (leur consentement ne couvre pas la recherche).
## `places`
places-none = Aucun lieu dans la liste.
place-column-name = Nom
place-column-kind = Type
place-column-phone = Téléphone
place-column-checked = Vérifié
place-column-address = Adresse
place-column-hours = Heures
place-column-notes = Notes
place-checked-on = vérifié le { $date } par { $member }
place-never-checked = jamais vérifié
place-off-the-list = retiré de la liste
place-conflict = { $field } : modifié sur deux appareils à la fois ; gardez une valeur avec `tandem places choose`
place-updated = Lieu modifié.
place-checked = Noté : toujours juste à ce jour.
place-removed = Retiré de la liste (les orientations vers ce lieu le gardent).
place-conflict-settled = Valeur gardée ; l'autre disparaît de chaque appareil à la prochaine synchronisation.
## What came of an encounter (`encounter referral`, `debriefs`)
referral-done = réalisée
referral-didnt-happen = non aboutie
referral-noted = Noté.
encounter-debrief-done = débriefing demandé, fait
debriefs-none = Aucun débriefing en attente.
debrief-column-encounter = Rencontre
debrief-column-asked-by = Demandé par
debrief-column-when = Quand
debrief-column-done = Fait
debrief-not-yet = pas encore
debrief-noted-done = Noté : le débriefing a eu lieu.
## `cover` : relais et remplacement
cover-present = Membres qui peuvent prendre le relais
cover-away = Absents
cover-away-since = depuis le { $date }
cover-reason-leave = en congé
cover-reason-left = a quitté l'équipe
cover-is-away = absent·e
cover-column-responsible = Responsable
cover-marked-away = Marqué·e absent·e : ses personnes et ses suivis ouverts attendent quelqu'un.
cover-marked-back = Marqué·e de retour.
cover-needs-people = Personnes qui attendent quelqu'un
cover-needs-follow-ups = Suivis qui attendent quelqu'un
cover-nobody = personne
cover-was-accompanied = accompagnée par { $members }
cover-taken-person = Vous l'accompagnez désormais.
cover-taken-followup = Ce suivi est désormais le vôtre.
cover-assigned = Suivi confié.
cover-accompany-changed = Les personnes qui l'accompagnent sont modifiées.
brief-accompanied-by = Accompagné·e par
brief-handover-notes = Notes de relais
brief-handover-by = { $member }, { $time }

## Contacts de rue qui deviennent des personnes, dossiers fusionnés
street-linked-to = relié à { $name } ({ $id })
street-linked-unknown = relié à un dossier absent de cet appareil ({ $id })
street-link-also = relié en même temps, sur un autre appareil, à : { $names } (reliez-le de nouveau pour choisir)
street-linked = Relié à { $name } : l'entrée figure dans son dossier.
street-unlinked = Le lien est retiré : de nouveau un contact de rue anonyme.
street-was-not-linked = Cette entrée n'était reliée à personne.
report-street-linked = … dont reliés plus tard à une personne
person-merged = { $other } est fusionné dans { $keep } : tout ce que contiennent les deux est gardé.
person-unmerged = Fusion annulée : { $name } est de nouveau un dossier à part.
heading-merged = Dossiers fusionnés dans celui-ci
merged-line = { $name }, fusionné le { $date }
