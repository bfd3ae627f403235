<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ApiClient</name>
    <message>
        <location filename="../src/core/apiclient.cpp" line="60"/>
        <source>Signed out: sign in again to send your changes.</source>
        <translation>Abgemeldet: Melden Sie sich erneut an, um Ihre Änderungen zu senden.</translation>
    </message>
</context>
<context>
    <name>ApiError</name>
    <message>
        <location filename="../src/core/apierror.cpp" line="45"/>
        <source>The server cannot be reached.</source>
        <translation>Der Server ist nicht erreichbar.</translation>
    </message>
    <message>
        <location filename="../src/core/apierror.cpp" line="47"/>
        <source>The server did not answer in time.</source>
        <translation>Der Server hat nicht rechtzeitig geantwortet.</translation>
    </message>
    <message>
        <location filename="../src/core/apierror.cpp" line="49"/>
        <source>Signed out: please sign in again.</source>
        <translation>Abgemeldet: Bitte melden Sie sich erneut an.</translation>
    </message>
    <message>
        <location filename="../src/core/apierror.cpp" line="51"/>
        <source>The request failed (HTTP %1).</source>
        <translation>Die Anfrage ist fehlgeschlagen (HTTP %1).</translation>
    </message>
</context>
<context>
    <name>BookingCard</name>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="21"/>
        <location filename="../src/widgets/bookingcard.cpp" line="78"/>
        <source>Confirm</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="22"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="22"/>
        <location filename="../src/widgets/bookingcard.cpp" line="66"/>
        <source>Delete booking</source>
        <translation>Buchung löschen</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="29"/>
        <source>Booking confirmed</source>
        <translation>Buchung bestätigt</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="30"/>
        <source>Booking deleted</source>
        <translation>Buchung gelöscht</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="62"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="63"/>
        <source>Updated %1 · version %2</source>
        <translation>Aktualisiert %1 · Version %2</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="67"/>
        <source>Delete the booking of %1 on %2? This cannot be undone.</source>
        <translation>Buchung von %1 am %2 löschen? Dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="68"/>
        <source>Booking: %1, %2, %3</source>
        <translation>Buchung: %1, %2, %3</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="76"/>
        <source>Confirmed</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="77"/>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
</context>
<context>
    <name>BookingsView</name>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="79"/>
        <source>Bookings</source>
        <translation>Buchungen</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="81"/>
        <source>Search customer or service (Ctrl+F)</source>
        <translation>Kunde oder Leistung suchen (Strg+F)</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="83"/>
        <source>Search bookings</source>
        <translation>Buchungen durchsuchen</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="84"/>
        <source>All statuses</source>
        <translation>Alle Status</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="85"/>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="86"/>
        <source>Confirmed</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="87"/>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="89"/>
        <source>Filter by status</source>
        <translation>Nach Status filtern</translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="94"/>
        <source>Confirm selected</source>
        <translation>Auswahl bestätigen</translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="26"/>
        <source>Open the sync status (Ctrl+Shift+S)</source>
        <translation>Synchronisierungsstatus öffnen (Strg+Umschalt+S)</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="53"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="56"/>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="60"/>
        <source>Reconnecting in %1 s</source>
        <translation>Neue Verbindung in %1 s</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="63"/>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="70"/>
        <source>Connection: %1</source>
        <translation>Verbindung: %1</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="72"/>
        <source>Realtime: subscribed</source>
        <translation>Echtzeit: abonniert</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="73"/>
        <source>Realtime: joining</source>
        <translation>Echtzeit: Beitritt läuft</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="74"/>
        <source>Realtime: connecting</source>
        <translation>Echtzeit: Verbindungsaufbau</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="75"/>
        <source>Realtime: disconnected</source>
        <translation>Echtzeit: getrennt</translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="78"/>
        <source>All changes sent</source>
        <translation>Alle Änderungen gesendet</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/connectionindicator.cpp" line="78"/>
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n Änderung wartet</numerusform>
            <numerusform>%n Änderungen warten</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CredentialStore</name>
    <message>
        <location filename="../src/core/credentialstore.cpp" line="12"/>
        <source>the system keychain is not used</source>
        <translation>der Systemschlüsselbund wird nicht verwendet</translation>
    </message>
</context>
<context>
    <name>DeskController</name>
    <message>
        <location filename="../src/app/deskcontroller.cpp" line="41"/>
        <source>No system keychain (%1): you will have to sign in again next time.</source>
        <translation>Kein Systemschlüsselbund (%1): Sie müssen sich beim nächsten Mal erneut anmelden.</translation>
    </message>
</context>
<context>
    <name>LeadCard</name>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="26"/>
        <source>Send SMS…</source>
        <translation>SMS senden…</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="39"/>
        <source>Contacted</source>
        <translation>Kontaktiert</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="40"/>
        <source>Qualified</source>
        <translation>Qualifiziert</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="41"/>
        <source>Won</source>
        <translation>Gewonnen</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="42"/>
        <source>Lost</source>
        <translation>Verloren</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="45"/>
        <source>Mark as %1</source>
        <translation>Als %1 markieren</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="46"/>
        <source>Lead marked as %1</source>
        <translation>Lead als %1 markiert</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="52"/>
        <source>SMS accepted; delivery follows</source>
        <translation>SMS angenommen; Zustellung folgt</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="72"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="76"/>
        <source>No SMS yet</source>
        <translation>Noch keine SMS</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="80"/>
        <source>Last SMS: %1 — “%2”%3</source>
        <translation>Letzte SMS: %1 — „%2“%3</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="83"/>
        <source>Lead: %1, %2</source>
        <translation>Lead: %1, %2</translation>
    </message>
</context>
<context>
    <name>LeadsView</name>
    <message>
        <location filename="../src/widgets/leadsview.cpp" line="38"/>
        <source>Leads</source>
        <translation>Leads</translation>
    </message>
    <message>
        <location filename="../src/widgets/leadsview.cpp" line="39"/>
        <source>Search leads</source>
        <translation>Leads durchsuchen</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../ui/logindialog.ui" line="6"/>
        <source>Sign in to syncloop</source>
        <translation>Bei syncloop anmelden</translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="14"/>
        <source>&amp;Server:</source>
        <translation>&amp;Server:</translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="24"/>
        <source>http://127.0.0.1:8080</source>
        <translation>http://127.0.0.1:8080</translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="31"/>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="44"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="61"/>
        <source>&amp;Remember me on this computer</source>
        <translation>Auf diesem Computer angemeldet &amp;bleiben</translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="64"/>
        <source>Keeps the session in the system keychain so the next start signs in by itself</source>
        <translation>Speichert die Sitzung im Systemschlüsselbund, sodass Sie beim nächsten Start automatisch angemeldet werden</translation>
    </message>
    <message>
        <location filename="../src/widgets/logindialog.cpp" line="67"/>
        <source>The server address must start with http:// or https://</source>
        <translation>Die Serveradresse muss mit http:// oder https:// beginnen</translation>
    </message>
    <message>
        <location filename="../src/widgets/logindialog.cpp" line="71"/>
        <source>Enter your email and password.</source>
        <translation>Geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.ui" line="9"/>
        <source>syncloop</source>
        <translation>syncloop</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="24"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="30"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="42"/>
        <source>Sign &amp;out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="45"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="46"/>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="49"/>
        <location filename="../src/widgets/mainwindow.cpp" line="24"/>
        <source>&amp;Bookings</source>
        <translation>&amp;Buchungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="50"/>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="53"/>
        <location filename="../src/widgets/mainwindow.cpp" line="25"/>
        <source>&amp;Leads</source>
        <translation>&amp;Leads</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="54"/>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="57"/>
        <source>&amp;Sync status…</source>
        <translation>&amp;Synchronisierungsstatus…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="58"/>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="61"/>
        <source>&amp;Reload from server</source>
        <translation>Vom Server &amp;neu laden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="62"/>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <location filename="../src/widgets/mainwindow.cpp" line="39"/>
        <source>Could not load the data: %1</source>
        <translation>Die Daten konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../src/widgets/mainwindow.cpp" line="42"/>
        <source>syncloop — %1</source>
        <translation>syncloop — %1</translation>
    </message>
</context>
<context>
    <name>MutationEngine</name>
    <message>
        <location filename="../src/core/mutationengine.cpp" line="343"/>
        <source>The server accepted the change, but it was never seen back.</source>
        <translation>Der Server hat die Änderung angenommen, aber sie wurde nie zurückgemeldet.</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="94"/>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="95"/>
        <source>Entity</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="96"/>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="97"/>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="98"/>
        <source>Next retry</source>
        <translation>Nächster Versuch</translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="99"/>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="100"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
</context>
<context>
    <name>SmsComposeDialog</name>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="14"/>
        <source>Send SMS to %1</source>
        <translation>SMS an %1 senden</translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="15"/>
        <source>Hello %1, thanks for your interest! When would be a good time to talk?</source>
        <translation>Hallo %1, vielen Dank für Ihr Interesse! Wann passt es Ihnen für ein Gespräch?</translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="16"/>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="18"/>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="28"/>
        <source>%1 / %2 characters</source>
        <translation>%1 / %2 Zeichen</translation>
    </message>
</context>
<context>
    <name>Sparkline</name>
    <message>
        <location filename="../src/widgets/sparkline.cpp" line="16"/>
        <source>%1: latest %2</source>
        <translation>%1: zuletzt %2</translation>
    </message>
    <message>
        <location filename="../src/widgets/sparkline.cpp" line="30"/>
        <source>%1 (max %2)</source>
        <translation>%1 (max. %2)</translation>
    </message>
</context>
<context>
    <name>StatusChip</name>
    <message>
        <location filename="../src/widgets/statuschip.cpp" line="23"/>
        <source>%1 (pending)</source>
        <translation>%1 (ausstehend)</translation>
    </message>
    <message>
        <location filename="../src/widgets/statuschip.cpp" line="29"/>
        <source>Status: %1</source>
        <translation>Status: %1</translation>
    </message>
</context>
<context>
    <name>SyncButton</name>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="127"/>
        <source>Retrying in %1 s</source>
        <translation>Neuer Versuch in %1 s</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="141"/>
        <source>Nothing to do</source>
        <translation>Nichts zu tun</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="145"/>
        <source>Sending…</source>
        <translation>Wird gesendet…</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="146"/>
        <source>%1: sending to the server</source>
        <translation>%1: wird an den Server gesendet</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="149"/>
        <source>Confirming…</source>
        <translation>Wird bestätigt…</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="150"/>
        <source>%1: the server accepted it; waiting to see the change</source>
        <translation>%1: vom Server angenommen; Rückmeldung der Änderung steht noch aus</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="153"/>
        <source>✓ Done</source>
        <translation>✓ Erledigt</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="154"/>
        <source>%1: done</source>
        <translation>%1: erledigt</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="157"/>
        <source>Will send when online</source>
        <translation>Wird gesendet, sobald online</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="158"/>
        <source>%1: saved on this computer; it will be sent as soon as the server is reachable</source>
        <translation>%1: auf diesem Computer gespeichert; wird gesendet, sobald der Server erreichbar ist</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="161"/>
        <source>Retrying…</source>
        <translation>Wird wiederholt…</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="162"/>
        <source>%1: the server is busy; trying again automatically (%2)</source>
        <translation>%1: Der Server ist ausgelastet; neuer Versuch erfolgt automatisch (%2)</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="166"/>
        <source>Failed – try again</source>
        <translation>Fehlgeschlagen – erneut versuchen</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="169"/>
        <source>%1 failed; click to try again</source>
        <translation>%1 fehlgeschlagen; klicken Sie, um es erneut zu versuchen</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="173"/>
        <source>Needs review – resubmit</source>
        <translation>Prüfen – erneut senden</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="174"/>
        <source>This change waited longer than the server remembers requests; check it, then resubmit</source>
        <translation>Diese Änderung hat länger gewartet, als der Server sich an Anfragen erinnert; prüfen Sie sie und senden Sie sie dann erneut</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="178"/>
        <source>Unconfirmed – check again</source>
        <translation>Unbestätigt – erneut prüfen</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="179"/>
        <source>The server accepted the change but it was not seen back; click to check again</source>
        <translation>Der Server hat die Änderung angenommen, aber sie wurde nicht zurückgemeldet; klicken Sie, um erneut zu prüfen</translation>
    </message>
</context>
<context>
    <name>SyncButtonWithProgress</name>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="16"/>
        <source>Cancel the rest</source>
        <translation>Rest abbrechen</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="26"/>
        <source>%v / %m confirmed</source>
        <translation>%v / %m bestätigt</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="41"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="109"/>
        <source>%1 failed, %2 cancelled</source>
        <translation>%1 fehlgeschlagen, %2 abgebrochen</translation>
    </message>
</context>
<context>
    <name>SyncSession</name>
    <message>
        <location filename="../src/core/syncsession.cpp" line="133"/>
        <source>No saved session for %1: sign in with your password.</source>
        <translation>Keine gespeicherte Sitzung für %1: Melden Sie sich mit Ihrem Passwort an.</translation>
    </message>
    <message>
        <location filename="../src/core/syncsession.cpp" line="159"/>
        <source>Wrong email or password.</source>
        <translation>E-Mail-Adresse oder Passwort falsch.</translation>
    </message>
</context>
<context>
    <name>SyncStatusDialog</name>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="9"/>
        <source>Sync status</source>
        <translation>Synchronisierungsstatus</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="16"/>
        <source>&amp;Offline queue</source>
        <translation>&amp;Offline-Warteschlange</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="43"/>
        <source>Retry &amp;all</source>
        <translation>&amp;Alle erneut versuchen</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="46"/>
        <source>Send everything queued now, without waiting for the retry delays</source>
        <translation>Alles in der Warteschlange jetzt senden, ohne die Wartezeiten zwischen den Versuchen abzuwarten</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="53"/>
        <source>&amp;Retry selected</source>
        <translation>Ausgewählte &amp;erneut versuchen</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="60"/>
        <source>&amp;Discard selected…</source>
        <translation>Ausgewählte &amp;verwerfen…</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="77"/>
        <source>&amp;Server</source>
        <translation>&amp;Server</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="82"/>
        <source>Idempotency records:</source>
        <translation>Idempotenz-Einträge:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="84"/>
        <source>Key window:</source>
        <translation>Schlüssel-Zeitfenster:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="86"/>
        <source>Replays / conflicts / mismatches:</source>
        <translation>Wiederholungen / Konflikte / Abweichungen:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="88"/>
        <source>Realtime connections / channels:</source>
        <translation>Echtzeit-Verbindungen / -Kanäle:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="90"/>
        <source>SMS circuit breaker:</source>
        <translation>SMS-Circuit-Breaker:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="92"/>
        <source>Failure rate / calls not permitted:</source>
        <translation>Fehlerquote / abgewiesene Aufrufe:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="94"/>
        <source>SMS outbox depth:</source>
        <translation>Länge des SMS-Postausgangs:</translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="96"/>
        <source>Updated:</source>
        <translation>Aktualisiert:</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="24"/>
        <source>Queue depth (server outbox + local)</source>
        <translation>Warteschlangenlänge (Server-Postausgang + lokal)</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="25"/>
        <source>SMS failure rate %</source>
        <translation>SMS-Fehlerquote %</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="87"/>
        <source>Nothing is waiting: every change reached the server.</source>
        <translation>Nichts ausstehend: Alle Änderungen haben den Server erreicht.</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/syncstatusdialog.cpp" line="88"/>
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n Änderung wartet</numerusform>
            <numerusform>%n Änderungen warten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/syncstatusdialog.cpp" line="89"/>
        <source>, %n need(s) your attention (highlighted)</source>
        <translation>
            <numerusform>, %n erfordert Ihre Aufmerksamkeit (hervorgehoben)</numerusform>
            <numerusform>, %n erfordern Ihre Aufmerksamkeit (hervorgehoben)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="101"/>
        <source>Discard changes</source>
        <translation>Änderungen verwerfen</translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/syncstatusdialog.cpp" line="102"/>
        <source>These %n change(s) will not be sent to the server and will not happen:

%1</source>
        <translation>
            <numerusform>Diese %n Änderung wird nicht an den Server gesendet und nicht ausgeführt:

%1</numerusform>
            <numerusform>Diese %n Änderungen werden nicht an den Server gesendet und nicht ausgeführt:

%1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="106"/>
        <source>Discard</source>
        <translation>Verwerfen</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="122"/>
        <source>not available: %1</source>
        <translation>nicht verfügbar: %1</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="131"/>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="139"/>
        <source>n/a</source>
        <translation>k. A.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../src/app/main.cpp" line="56"/>
        <source>syncloop desktop client: bookings and leads, a button that never lies.</source>
        <translation>syncloop-Desktop-Client: Buchungen und Leads, eine Schaltfläche, die nie lügt.</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="59"/>
        <source>Server URL (default: the last one used).</source>
        <translation>Server-URL (Standard: die zuletzt verwendete).</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="60"/>
        <source>Where the offline queue lives (default: the app data location).</source>
        <translation>Speicherort der Offline-Warteschlange (Standard: das Datenverzeichnis der App).</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="61"/>
        <source>Never use the system keychain.</source>
        <translation>Den Systemschlüsselbund nie verwenden.</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="62"/>
        <source>Use a dark palette.</source>
        <translation>Eine dunkle Farbpalette verwenden.</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="78"/>
        <source>syncloop cannot start</source>
        <translation>syncloop kann nicht starten</translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="79"/>
        <source>The offline queue cannot be opened: %1</source>
        <translation>Die Offline-Warteschlange kann nicht geöffnet werden: %1</translation>
    </message>
</context>
</TS>
