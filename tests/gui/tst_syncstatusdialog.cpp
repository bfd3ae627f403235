// The sync-status dialog and mutations queued without a user (issue 10.10). A queue file as an
// older syncloopctl left it (schema 1, rows with an empty user_id) is opened by a desktop
// session signed in to a real syncloopd: migration 2 puts the rows in "needs review", and the
// dialog shows them so, with a count of what needs review, Adopt (selected / all) and Discard,
// all reachable from the keyboard. Effects are read at the server: an adopted row is sent once
// with the key it was queued with; a discarded one never reaches the server.
#include "apiclient.h"
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "queuemodel.h"
#include "serverprocess.h"
#include "syncsession.h"
#include "syncstatusdialog.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <memory>

namespace {

const QString password = QStringLiteral("syncloop-demo");
const QString withoutUserText = QStringLiteral("Needs review — queued without a signed-in user");

// A queue file as syncloop wrote it before migration 2 (schema 1): one confirm per booking,
// queued `ageMs` ago by `userId` (empty: no user, as syncloopctl did without a session).
QStringList writeVersion1Queue(const QString &path, const QStringList &bookingIds,
    const QString &userId = {}, qint64 ageMs = 0)
{
    QStringList keys;
    const QString name = QStringLiteral("v1-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        bool ok = db.open();
        QSqlQuery q(db);
        for (const char *statement :
            { "CREATE TABLE mutations (id INTEGER PRIMARY KEY AUTOINCREMENT,"
              " key TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, method TEXT NOT NULL,"
              " path TEXT NOT NULL, body TEXT NOT NULL, entity_table TEXT NOT NULL,"
              " entity_id TEXT NOT NULL, optimistic TEXT NOT NULL, created_at_ms INTEGER NOT NULL,"
              " attempts INTEGER NOT NULL, next_attempt_at_ms INTEGER NOT NULL,"
              " state TEXT NOT NULL, error_kind TEXT NOT NULL, error_status INTEGER NOT NULL,"
              " error_code TEXT NOT NULL, error_message TEXT NOT NULL,"
              " retry_after_ms INTEGER NOT NULL, result_version INTEGER NOT NULL)",
                "CREATE INDEX mutations_by_user ON mutations (user_id, id)",
                "PRAGMA user_version = 1" })
            ok = ok && q.exec(QLatin1String(statement));
        const qint64 now = QDateTime::currentMSecsSinceEpoch() - ageMs;
        for (const QString &bookingId : bookingIds) {
            const QString key = QUuid::createUuid().toString(QUuid::WithoutBraces);
            q.prepare(QStringLiteral(
                "INSERT INTO mutations (key, user_id, method, path, body, entity_table, entity_id,"
                " optimistic, created_at_ms, attempts, next_attempt_at_ms, state, error_kind,"
                " error_status, error_code, error_message, retry_after_ms, result_version)"
                " VALUES (?, ?, 'POST', '/api/bookings/confirm', ?, 'bookings', ?,"
                " '{\"status\":\"confirmed\"}', ?, 0, ?, 'queued', 'none', 0, '', '', -1, 0)"));
            q.addBindValue(key);
            q.addBindValue(
                userId.isNull() ? QStringLiteral("") : userId); // NOT NULL: "" is no user
            q.addBindValue(QStringLiteral("{\"bookingId\":\"%1\"}").arg(bookingId));
            q.addBindValue(bookingId);
            q.addBindValue(now);
            q.addBindValue(now);
            ok = ok && q.exec();
            keys.append(key);
        }
        if (!ok) {
            qWarning() << "cannot write the schema 1 queue:" << q.lastError().text();
            keys.clear();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return keys;
}

} // namespace

class TestSyncStatusDialog : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<HttpClient> m_agent1;
    std::unique_ptr<DbInspector> m_db;
    QStringList m_pending; // agent1's pending bookings, handed out a few per test
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SyncSession> m_session;
    std::unique_ptr<SyncStatusDialog> m_dialog;

    QStringList takePending(int n)
    {
        QStringList out = m_pending.mid(0, n);
        m_pending.remove(0, n);
        return out;
    }

    // A signed-in desktop session on a queue holding one confirm per booking (queued by
    // `userId`, `ageMs` ago; by default with no user, now), and its dialog, shown and active.
    // The queued keys, in order; empty if any step failed.
    QStringList openWithUnownedRows(
        const QStringList &bookingIds, const QString &userId = {}, qint64 ageMs = 0)
    {
        const QString path = m_dir->filePath(QStringLiteral("queue.sqlite"));
        QStringList keys = writeVersion1Queue(path, bookingIds, userId, ageMs);
        if (keys.size() != bookingIds.size())
            return {};
        SyncSession::Options options;
        options.server = m_server->baseUrl();
        options.queuePath = path;
        options.credentials = CredentialStore::Backend::MemoryOnly;
        options.realtimeEnabled = false; // the closed loop confirms by re-reading
        options.engine.backoff = { 50, 500 };
        options.engine.echoWaitMs = 200;
        options.engine.confirmCapMs = 5000;
        m_session = std::make_unique<SyncSession>(options);
        QString error;
        if (!m_session->open(&error)) {
            qWarning() << "cannot open the queue:" << error;
            return {};
        }
        QSignalSpy signedIn(m_session.get(), &SyncSession::signedIn);
        m_session->signIn(DemoData::agent1, password, SyncSession::Persistence::ThisRunOnly);
        if (!signedIn.wait(15000)) {
            qWarning() << "sign-in failed";
            return {};
        }
        m_dialog = std::make_unique<SyncStatusDialog>(m_session.get());
        m_dialog->resize(900, 460);
        m_dialog->show();
        QApplication::setActiveWindow(m_dialog.get());
        if (!QTest::qWaitForWindowActive(m_dialog.get())) {
            qWarning() << "the dialog never became active";
            return {};
        }
        return keys;
    }

    template<typename T> T *child(const char *name) const
    {
        return m_dialog->findChild<T *>(QLatin1String(name));
    }
    QTableView *table() const { return child<QTableView>("queueTable"); }

    // The state column as the user reads it, for the row holding `key`; empty if not listed.
    QString shownState(const QString &key) const
    {
        const QAbstractItemModel *model = table()->model();
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->index(r, 0).data(QueueModel::KeyRole).toString() == key)
                return model->index(r, QueueModel::State).data().toString();
        }
        return {};
    }

    qint64 keyRecords(const QString &key) const { return m_db->keyRecords(key); }
    qint64 changeLogUpdates(const QString &bookingId) const
    {
        return m_db->scalar(
            QStringLiteral(
                "SELECT COUNT(*) FROM change_log WHERE record_id = ? AND change_type = 'UPDATE'"),
            { bookingId });
    }

    // A later mutation through the same engine has been answered: whatever the engine was
    // going to send on its own by now, it has sent.
    bool barrier()
    {
        const QString id = takePending(1).value(0);
        QPointer<MutationHandle> h = m_session->confirmBooking(id);
        if (!h)
            return false;
        const bool confirmed = QTest::qWaitFor(
            [&] { return !h || h->state() == Mutation::State::Confirmed; }, 10000);
        return confirmed && m_db->bookingStatus(id) == QLatin1String("confirmed");
    }

private slots:
    void initTestCase()
    {
        ServerProcess::Options options;
        options.demoBookings = 60;
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 15);
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void cleanup()
    {
        m_dialog.reset();
        m_session.reset();
        m_dir.reset();
    }

    void cleanupTestCase()
    {
        m_db.reset();
        m_server.reset();
    }

    void rowsWithoutUserShowAsNeedsReview()
    {
        const QStringList ids = takePending(3);
        QList<qint64> versions;
        for (const QString &id : ids)
            versions.append(m_db->bookingVersion(id));
        const QStringList keys = openWithUnownedRows(ids);
        QCOMPARE(keys.size(), 3);

        // Listed, each saying why in the user's words, and counted apart.
        QCOMPARE(m_dialog->queueModel()->rowCount(), 3);
        for (const QString &key : keys)
            QCOMPARE(shownState(key), withoutUserText);
        auto *review = child<QLabel>("reviewSummary");
        QVERIFY(review);
        QVERIFY(review->isVisible());
        QVERIFY2(review->text().startsWith(QLatin1String("3 need(s) review")),
            qPrintable(review->text()));

        // The actions, with names for assistive technology; Adopt Selected waits for a selection.
        auto *adoptSelected = child<QPushButton>("adoptSelectedButton");
        auto *adoptAll = child<QPushButton>("adoptAllButton");
        auto *discard = child<QPushButton>("discardSelectedButton");
        QVERIFY(adoptSelected && adoptAll && discard);
        for (QPushButton *b : { adoptSelected, adoptAll }) {
            QVERIFY(b->isVisible());
            QVERIFY(!b->accessibleName().isEmpty());
            QVERIFY(b->focusPolicy() & Qt::TabFocus);
        }
        QVERIFY(adoptAll->isEnabled());
        QVERIFY(!adoptSelected->isEnabled());
        QVERIFY(!discard->isEnabled());

        // From the keyboard: into the table, a row selected with the arrow key, then Tab walks to
        // the buttons in reading order.
        table()->setFocus();
        QTest::keyClick(table(), Qt::Key_Down);
        QCOMPARE(table()->selectionModel()->selectedRows().size(), 1);
        QVERIFY(adoptSelected->isEnabled());
        QVERIFY(discard->isEnabled());
        QStringList chain;
        for (int i = 0; i < 5; ++i) {
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            chain.append(QApplication::focusWidget()->objectName());
        }
        QCOMPARE(chain,
            (QStringList { QStringLiteral("retryAllButton"), QStringLiteral("retrySelectedButton"),
                QStringLiteral("adoptSelectedButton"), QStringLiteral("adoptAllButton"),
                QStringLiteral("discardSelectedButton") }));

        // Nobody chose them: signed in and draining, the engine sends none of them.
        QVERIFY(barrier());
        for (int i = 0; i < keys.size(); ++i) {
            QCOMPARE(shownState(keys[i]), withoutUserText);
            QCOMPARE(keyRecords(keys[i]), 0);
            QCOMPARE(m_db->bookingVersion(ids[i]), versions[i]);
        }
    }

    void adoptSendsThemOnceWithTheirKeys()
    {
        const QStringList ids = takePending(3);
        QList<qint64> versions;
        for (const QString &id : ids)
            versions.append(m_db->bookingVersion(id));
        const QStringList keys = openWithUnownedRows(ids);
        QCOMPARE(keys.size(), 3);
        auto *adoptAll = child<QPushButton>("adoptAllButton");
        QVERIFY(adoptAll);

        // Adopt Selected by its mnemonic (Alt+P) on the row picked with the keyboard.
        table()->setFocus();
        QTest::keyClick(table(), Qt::Key_Down);
        const QString first = table()
                                  ->selectionModel()
                                  ->selectedRows()
                                  .value(0)
                                  .data(QueueModel::KeyRole)
                                  .toString();
        const int i0 = int(keys.indexOf(first));
        QVERIFY(i0 >= 0);
        QTest::keyClick(m_dialog.get(), Qt::Key_P, Qt::AltModifier);
        QTRY_COMPARE_WITH_TIMEOUT(m_db->bookingStatus(ids[i0]), QStringLiteral("confirmed"), 10000);
        QCOMPARE(m_db->bookingVersion(ids[i0]), versions[i0] + 1);
        QCOMPARE(keyRecords(first), 1); // sent with the key it was queued with
        QTRY_COMPARE_WITH_TIMEOUT(shownState(first), QString(), 10000); // done: no longer listed
        for (int i = 0; i < keys.size(); ++i) {
            if (i != i0)
                QCOMPARE(shownState(keys[i]), withoutUserText);
        }
        QVERIFY2(
            child<QLabel>("reviewSummary")->text().startsWith(QLatin1String("2 need(s) review")),
            qPrintable(child<QLabel>("reviewSummary")->text()));

        // Adopt All with the keyboard: focus the button, Space.
        adoptAll->setFocus();
        QTest::keyClick(adoptAll, Qt::Key_Space);
        for (int i = 0; i < keys.size(); ++i)
            QTRY_COMPARE_WITH_TIMEOUT(
                m_db->bookingStatus(ids[i]), QStringLiteral("confirmed"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_dialog->queueModel()->rowCount(), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->queue()->count(), 0, 5000);
        QVERIFY(!adoptAll->isVisible());
        QVERIFY(!child<QLabel>("reviewSummary")->isVisible());

        // Each exactly once: one version step, one change, one key record (its own key).
        QVERIFY(barrier());
        for (int i = 0; i < keys.size(); ++i) {
            QCOMPARE(m_db->bookingVersion(ids[i]), versions[i] + 1);
            QCOMPARE(changeLogUpdates(ids[i]), 1);
            QCOMPARE(keyRecords(keys[i]), 1);
        }
        QCOMPARE(m_db->scalar(QStringLiteral("SELECT COUNT(DISTINCT user_id) FROM idempotency_keys "
                                             "WHERE idem_key IN (?, ?, ?)"),
                     { keys[0], keys[1], keys[2] }),
            1);
    }

    void discardRemovesThemAndSendsNothing()
    {
        const QStringList ids = takePending(2);
        QList<qint64> versions;
        for (const QString &id : ids)
            versions.append(m_db->bookingVersion(id));
        const QStringList keys = openWithUnownedRows(ids);
        QCOMPARE(keys.size(), 2);

        // Select both (Ctrl+A in the table), Discard Selected by its mnemonic (Alt+D), confirm.
        table()->setFocus();
        QTest::keyClick(table(), Qt::Key_A, Qt::ControlModifier);
        QCOMPARE(table()->selectionModel()->selectedRows().size(), 2);
        QTest::keyClick(m_dialog.get(), Qt::Key_D, Qt::AltModifier);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = m_dialog->findChild<QMessageBox *>()) && box->isVisible());
        QAbstractButton *confirm = nullptr;
        for (QAbstractButton *b : box->buttons()) {
            if (box->buttonRole(b) == QMessageBox::DestructiveRole)
                confirm = b;
        }
        QVERIFY(confirm);
        confirm->click();

        QTRY_COMPARE(m_dialog->queueModel()->rowCount(), 0);
        QCOMPARE(m_session->queue()->count(), 0);
        for (const QString &key : keys)
            QVERIFY(!m_session->queue()->find(key));
        QVERIFY(!child<QPushButton>("adoptAllButton")->isVisible());

        // And the server never hears of them.
        QVERIFY(barrier());
        for (int i = 0; i < keys.size(); ++i) {
            QCOMPARE(keyRecords(keys[i]), 0);
            QCOMPARE(m_db->bookingVersion(ids[i]), versions[i]);
            QCOMPARE(m_db->bookingStatus(ids[i]), QStringLiteral("pending"));
        }
    }

    // The other kind of review (issue 10.9): the user's own change, older than the server's
    // idempotency window. It says why (not the "offline" it last met), is counted, cannot be
    // adopted, and is not sent.
    void pastTheWindowSaysWhyAndIsNotSent()
    {
        const QString me = m_agent1->lastLogin()
                               .value(QStringLiteral("user"))
                               .toObject()
                               .value(QStringLiteral("id"))
                               .toString();
        QVERIFY(!me.isEmpty());
        const QStringList ids = takePending(1);
        const qint64 version = m_db->bookingVersion(ids[0]);
        const QStringList keys
            = openWithUnownedRows(ids, me, 25LL * 3600 * 1000); // the window: 24 h
        QCOMPARE(keys.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(shownState(keys[0]), QStringLiteral("needs review"), 5000);
        const QAbstractItemModel *model = table()->model();
        QCOMPARE(model->rowCount(), 1);
        QVERIFY2(model->index(0, QueueModel::LastError)
                     .data()
                     .toString()
                     .startsWith(QLatin1String("Older than the server's idempotency window")),
            qPrintable(model->index(0, QueueModel::LastError).data().toString()));
        QVERIFY(!model->index(0, 0).data(QueueModel::WithoutUserRole).toBool());
        QVERIFY(child<QLabel>("reviewSummary")->isVisible());
        QVERIFY2(child<QLabel>("reviewSummary")->text() == QLatin1String("1 need(s) review"),
            qPrintable(child<QLabel>("reviewSummary")->text()));
        QVERIFY(!child<QPushButton>("adoptAllButton")->isVisible());

        QVERIFY(barrier());
        QCOMPARE(keyRecords(keys[0]), 0);
        QCOMPARE(m_db->bookingVersion(ids[0]), version);
    }
};

QTEST_MAIN(TestSyncStatusDialog)
#include "tst_syncstatusdialog.moc"
