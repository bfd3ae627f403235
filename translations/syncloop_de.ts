<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ApiClient</name>
    <message>
        <location filename="../src/core/apiclient.cpp" line="60"/>
        <source>Signed out: sign in again to send your changes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ApiError</name>
    <message>
        <location filename="../src/core/apierror.cpp" line="45"/>
        <source>The server cannot be reached.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/core/apierror.cpp" line="47"/>
        <source>The server did not answer in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/core/apierror.cpp" line="49"/>
        <source>Signed out: please sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/core/apierror.cpp" line="51"/>
        <source>The request failed (HTTP %1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BookingCard</name>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="21"/>
        <location filename="../src/widgets/bookingcard.cpp" line="78"/>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="22"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="22"/>
        <location filename="../src/widgets/bookingcard.cpp" line="66"/>
        <source>Delete booking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="29"/>
        <source>Booking confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="30"/>
        <source>Booking deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="62"/>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="63"/>
        <source>Updated %1 · version %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="67"/>
        <source>Delete the booking of %1 on %2? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="68"/>
        <source>Booking: %1, %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="76"/>
        <source>Confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingcard.cpp" line="77"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BookingsView</name>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="79"/>
        <source>Bookings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="81"/>
        <source>Search customer or service (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="83"/>
        <source>Search bookings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="84"/>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="85"/>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="86"/>
        <source>Confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="87"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="89"/>
        <source>Filter by status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/bookingsview.cpp" line="94"/>
        <source>Confirm selected</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionIndicator</name>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="26"/>
        <source>Open the sync status (Ctrl+Shift+S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="53"/>
        <source>Offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="56"/>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="60"/>
        <source>Reconnecting in %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="63"/>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="68"/>
        <source>Connection: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="70"/>
        <source>Realtime: subscribed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="71"/>
        <source>Realtime: joining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="72"/>
        <source>Realtime: connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="73"/>
        <source>Realtime: disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/connectionindicator.cpp" line="76"/>
        <source>All changes sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/connectionindicator.cpp" line="76"/>
        <source>%n change(s) waiting</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CredentialStore</name>
    <message>
        <location filename="../src/core/credentialstore.cpp" line="12"/>
        <source>the system keychain is not used</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeskController</name>
    <message>
        <location filename="../src/app/deskcontroller.cpp" line="39"/>
        <source>No system keychain (%1): you will have to sign in again next time.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeadCard</name>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="26"/>
        <source>Send SMS…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="39"/>
        <source>Contacted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="40"/>
        <source>Qualified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="41"/>
        <source>Won</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="42"/>
        <source>Lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="45"/>
        <source>Mark as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="46"/>
        <source>Lead marked as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="52"/>
        <source>SMS accepted; delivery follows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="72"/>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="76"/>
        <source>No SMS yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="80"/>
        <source>Last SMS: %1 — “%2”%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadcard.cpp" line="83"/>
        <source>Lead: %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeadsView</name>
    <message>
        <location filename="../src/widgets/leadsview.cpp" line="38"/>
        <source>Leads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/leadsview.cpp" line="39"/>
        <source>Search leads</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../ui/logindialog.ui" line="6"/>
        <source>Sign in to syncloop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="14"/>
        <source>&amp;Server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="24"/>
        <source>http://127.0.0.1:8080</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="31"/>
        <source>&amp;Email:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="44"/>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="61"/>
        <source>&amp;Remember me on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/logindialog.ui" line="64"/>
        <source>Keeps the session in the system keychain so the next start signs in by itself</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/logindialog.cpp" line="67"/>
        <source>The server address must start with http:// or https://</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/logindialog.cpp" line="71"/>
        <source>Enter your email and password.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.ui" line="9"/>
        <source>syncloop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="24"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="30"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="42"/>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="45"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="46"/>
        <source>Ctrl+Q</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="49"/>
        <location filename="../src/widgets/mainwindow.cpp" line="24"/>
        <source>&amp;Bookings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="50"/>
        <source>Ctrl+1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="53"/>
        <location filename="../src/widgets/mainwindow.cpp" line="25"/>
        <source>&amp;Leads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="54"/>
        <source>Ctrl+2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="57"/>
        <source>&amp;Sync status…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="58"/>
        <source>Ctrl+Shift+S</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="61"/>
        <source>&amp;Reload from server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.ui" line="62"/>
        <source>F5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/mainwindow.cpp" line="39"/>
        <source>Could not load the data: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/mainwindow.cpp" line="42"/>
        <source>syncloop — %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MutationEngine</name>
    <message>
        <location filename="../src/core/mutationengine.cpp" line="343"/>
        <source>The server accepted the change, but it was never seen back.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="94"/>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="95"/>
        <source>Entity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="96"/>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="97"/>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="98"/>
        <source>Next retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="99"/>
        <source>Last error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/queuemodel.cpp" line="100"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SmsComposeDialog</name>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="14"/>
        <source>Send SMS to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="15"/>
        <source>Hello %1, thanks for your interest! When would be a good time to talk?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="16"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="18"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/smscomposedialog.cpp" line="28"/>
        <source>%1 / %2 characters</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Sparkline</name>
    <message>
        <location filename="../src/widgets/sparkline.cpp" line="16"/>
        <source>%1: latest %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/sparkline.cpp" line="30"/>
        <source>%1 (max %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusChip</name>
    <message>
        <location filename="../src/widgets/statuschip.cpp" line="22"/>
        <source>%1 (pending)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/statuschip.cpp" line="24"/>
        <source>Status: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncButton</name>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="127"/>
        <source>Retrying in %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="141"/>
        <source>Nothing to do</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="145"/>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="146"/>
        <source>%1: sending to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="149"/>
        <source>Confirming…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="150"/>
        <source>%1: the server accepted it; waiting to see the change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="153"/>
        <source>✓ Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="154"/>
        <source>%1: done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="157"/>
        <source>Will send when online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="158"/>
        <source>%1: saved on this computer; it will be sent as soon as the server is reachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="161"/>
        <source>Retrying…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="162"/>
        <source>%1: the server is busy; trying again automatically (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="166"/>
        <source>Failed – try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="171"/>
        <source>Needs review – resubmit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="172"/>
        <source>This change waited longer than the server remembers requests; check it, then resubmit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="176"/>
        <source>Unconfirmed – check again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbutton.cpp" line="177"/>
        <source>The server accepted the change but it was not seen back; click to check again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncButtonWithProgress</name>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="16"/>
        <source>Cancel the rest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="26"/>
        <source>%v / %m confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="41"/>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncbuttonwithprogress.cpp" line="109"/>
        <source>%1 failed, %2 cancelled</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncSession</name>
    <message>
        <location filename="../src/core/syncsession.cpp" line="133"/>
        <source>No saved session for %1: sign in with your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/core/syncsession.cpp" line="159"/>
        <source>Wrong email or password.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncStatusDialog</name>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="9"/>
        <source>Sync status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="16"/>
        <source>&amp;Offline queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="43"/>
        <source>Retry &amp;all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="46"/>
        <source>Send everything queued now, without waiting for the retry delays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="53"/>
        <source>&amp;Retry selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="60"/>
        <source>&amp;Discard selected…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="77"/>
        <source>&amp;Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="82"/>
        <source>Idempotency records:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="84"/>
        <source>Key window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="86"/>
        <source>Replays / conflicts / mismatches:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="88"/>
        <source>Realtime connections / channels:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="90"/>
        <source>SMS circuit breaker:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="92"/>
        <source>Failure rate / calls not permitted:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="94"/>
        <source>SMS outbox depth:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/syncstatusdialog.ui" line="96"/>
        <source>Updated:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="24"/>
        <source>Queue depth (server outbox + local)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="25"/>
        <source>SMS failure rate %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="87"/>
        <source>Nothing is waiting: every change reached the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/syncstatusdialog.cpp" line="88"/>
        <source>%n change(s) waiting</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/syncstatusdialog.cpp" line="89"/>
        <source>, %n need(s) your attention (highlighted)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="101"/>
        <source>Discard changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../src/widgets/syncstatusdialog.cpp" line="102"/>
        <source>These %n change(s) will not be sent to the server and will not happen:

%1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="106"/>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="122"/>
        <source>not available: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="131"/>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/widgets/syncstatusdialog.cpp" line="139"/>
        <source>n/a</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../src/app/main.cpp" line="56"/>
        <source>syncloop desktop client: bookings and leads, a button that never lies.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="59"/>
        <source>Server URL (default: the last one used).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="60"/>
        <source>Where the offline queue lives (default: the app data location).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="61"/>
        <source>Never use the system keychain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="62"/>
        <source>Use a dark palette.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="78"/>
        <source>syncloop cannot start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../src/app/main.cpp" line="79"/>
        <source>The offline queue cannot be opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
