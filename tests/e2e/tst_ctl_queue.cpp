// Who a queued mutation belongs to, end to end through the real syncloopctl and syncloopd.
// Mutations queued with no user by older versions (issue 10: syncloopctl queued them when it
// had no session; they were sent by whoever signed in next, or never) are moved to "needs
// review" by the queue's migration 2 and shown so by `queue list`, with the reason; the user
// adopts (`queue adopt KEY|--all`) or discards them. `queue retry-all` says how many it could
// not send and why. Effects are read at the server: versions and idempotency records.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "tst_ctl_home.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

namespace {

const QByteArray passwordLine = "syncloop-demo\n";

struct Row
{
    QString key;
    QString userId;
    QString bookingId;
    QString state = QStringLiteral("queued");
    QString errorKind = QStringLiteral("none");
};

// A queue file as syncloop wrote it before migration 2 (schema 1), holding `rows`.
bool writeVersion1Queue(const QString &path, const QList<Row> &rows, QString *error)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    const QString name = QStringLiteral("v1-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery q(db);
        const QStringList schema {
            QStringLiteral(
                "CREATE TABLE mutations (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL "
                "UNIQUE,"
                " user_id TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, body TEXT NOT "
                "NULL,"
                " entity_table TEXT NOT NULL, entity_id TEXT NOT NULL, optimistic TEXT NOT NULL,"
                " created_at_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,"
                " next_attempt_at_ms INTEGER NOT NULL, state TEXT NOT NULL, error_kind TEXT NOT "
                "NULL,"
                " error_status INTEGER NOT NULL, error_code TEXT NOT NULL, error_message TEXT NOT "
                "NULL,"
                " retry_after_ms INTEGER NOT NULL, result_version INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX mutations_by_user ON mutations (user_id, id)"),
            QStringLiteral("PRAGMA user_version = 1"),
        };
        for (const QString &statement : schema)
            ok = ok && q.exec(statement);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const Row &r : rows) {
            q.prepare(QStringLiteral(
                "INSERT INTO mutations (key, user_id, method, path, body, entity_table,"
                " entity_id, optimistic, created_at_ms, attempts, next_attempt_at_ms, state,"
                " error_kind, error_status, error_code, error_message, retry_after_ms,"
                " result_version) VALUES (?, ?, 'POST', '/api/bookings/confirm', ?,"
                " 'bookings', ?, '{\"status\":\"confirmed\"}', ?, 0, ?, ?, ?, 0, '', '', -1, 0)"));
            q.addBindValue(r.key);
            q.addBindValue(
                r.userId.isNull() ? QStringLiteral("") : r.userId); // NOT NULL: "" is "no user"
            q.addBindValue(QStringLiteral("{\"bookingId\":\"%1\"}").arg(r.bookingId));
            q.addBindValue(r.bookingId);
            q.addBindValue(now);
            q.addBindValue(now);
            q.addBindValue(r.state);
            q.addBindValue(r.errorKind);
            ok = ok && q.exec();
        }
        if (!ok)
            *error = q.lastError().text();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QString newKey()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QHash<QString, QJsonObject> byKey(const QList<QJsonObject> &lines)
{
    QHash<QString, QJsonObject> out;
    for (const QJsonObject &o : lines)
        out.insert(o.value(QStringLiteral("key")).toString(), o);
    return out;
}

} // namespace

class TestCtlQueue : public QObject
{
    Q_OBJECT
private:
    static QString idOf(HttpClient &client)
    {
        return client.lastLogin()
            .value(QStringLiteral("user"))
            .toObject()
            .value(QStringLiteral("id"))
            .toString();
    }

private slots:
    void initTestCase() { QVERIFY(QFile::exists(CtlHome::executable())); }

    void rowsWithoutAUserAreAdoptedOrDiscarded()
    {
        ServerProcess server;
        QVERIFY(server.start());
        HttpClient agent1(server.baseUrl());
        HttpClient agent2(server.baseUrl());
        QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
        QVERIFY(!agent2.login(DemoData::agent2).isEmpty());
        const QString agent1Id = idOf(agent1);
        const QString agent2Id = idOf(agent2);
        const QStringList pending = DemoData::bookingIds(agent1, QStringLiteral("pending"));
        QVERIFY(pending.size() >= 4);
        DbInspector db(server.databasePath());
        QHash<QString, qint64> before;
        for (const QString &id : pending.mid(0, 4))
            before.insert(id, db.bookingVersion(id));

        CtlHome home(CtlHome::Environment::NoKeychain);
        QVERIFY(home.isValid());
        const Row orphanA { newKey(), QString(), pending.at(0), QStringLiteral("waiting"),
            QStringLiteral("offline") };
        const Row orphanB { newKey(), QString(), pending.at(1) };
        const Row mine { newKey(), agent1Id, pending.at(2) };
        const Row theirs { newKey(), agent2Id, pending.at(3) };
        QString error;
        QVERIFY2(writeVersion1Queue(home.queuePath(), { orphanA, orphanB, mine, theirs }, &error),
            qPrintable(error));
        const QStringList atServer { QStringLiteral("--server"), server.baseUrl().toString() };

        // queue list (no sign-in needed) migrates, and shows the orphans as needing review, why.
        const CtlResult listed = home.run(atServer
            + QStringList {
                QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("list") });
        QVERIFY2(listed.exited(0), qPrintable(listed.describe()));
        QHash<QString, QJsonObject> rows = byKey(listed.jsonLines());
        QCOMPARE(rows.size(), 4);
        for (const Row &orphan : { orphanA, orphanB }) {
            const QJsonObject o = rows.value(orphan.key);
            QCOMPARE(o.value(QStringLiteral("state")).toString(), QStringLiteral("needs_review"));
            QCOMPARE(o.value(QStringLiteral("user_id")).toString(), QString());
            QVERIFY2(o.value(QStringLiteral("last_error"))
                         .toString()
                         .contains(QLatin1String("without a signed-in user")),
                qPrintable(o.value(QStringLiteral("last_error")).toString()));
        }
        QCOMPARE(rows.value(mine.key).value(QStringLiteral("state")).toString(),
            QStringLiteral("queued"));
        QCOMPARE(rows.value(theirs.key).value(QStringLiteral("state")).toString(),
            QStringLiteral("queued"));
        const CtlResult text
            = home.run(atServer + QStringList { QStringLiteral("queue"), QStringLiteral("list") });
        QVERIFY2(
            text.out.count("needs_review") == 2 && text.out.contains("without a signed-in user"),
            qPrintable(text.describe()));

        // Not signed in: nothing is adopted, nothing is sent.
        const CtlResult adoptSignedOut = home.run(atServer
            + QStringList { QStringLiteral("--email"), DemoData::agent1, QStringLiteral("queue"),
                QStringLiteral("adopt"), QStringLiteral("--all") });
        QVERIFY2(adoptSignedOut.exited(1) && adoptSignedOut.err.contains("not signed in"),
            qPrintable(adoptSignedOut.describe()));
        const CtlResult retrySignedOut = home.run(atServer
            + QStringList { QStringLiteral("--email"), DemoData::agent1, QStringLiteral("queue"),
                QStringLiteral("retry-all") });
        QVERIFY2(retrySignedOut.exited(1) && retrySignedOut.err.contains("login"),
            qPrintable(retrySignedOut.describe()));
        rows = byKey(home.run(atServer
                             + QStringList { QStringLiteral("--json"), QStringLiteral("queue"),
                                 QStringLiteral("list") })
                         .jsonLines());
        QCOMPARE(rows.value(orphanA.key).value(QStringLiteral("user_id")).toString(), QString());
        QCOMPARE(rows.value(orphanA.key).value(QStringLiteral("state")).toString(),
            QStringLiteral("needs_review"));

        const CtlResult login = home.run(
            atServer + QStringList { QStringLiteral("login"), DemoData::agent1 }, passwordLine);
        QVERIFY2(login.exited(0), qPrintable(login.describe()));

        // retry-all sends agent1's own row; the others it says it could not send, and why.
        const CtlResult first = home.run(
            { QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(first.exited(1), qPrintable(first.describe()));
        QJsonObject summary = first.jsonLines().value(first.jsonLines().size() - 1);
        QCOMPARE(summary.value(QStringLiteral("confirmed")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("not_sent")).toInt(), 3);
        QMap<QString, int> reasons;
        for (const QJsonValue &v : summary.value(QStringLiteral("reasons")).toArray())
            reasons.insert(v.toObject().value(QStringLiteral("reason")).toString(),
                v.toObject().value(QStringLiteral("count")).toInt());
        QCOMPARE(reasons.size(), 2);
        for (auto it = reasons.cbegin(); it != reasons.cend(); ++it) {
            if (it.key().contains(QLatin1String("without a signed-in user")))
                QCOMPARE(it.value(), 2);
            else
                QVERIFY2(it.key().contains(QLatin1String("another user")) && it.value() == 1,
                    qPrintable(it.key()));
        }
        QVERIFY2(
            first.err.contains("3 mutation(s) could not be sent"), qPrintable(first.describe()));
        QCOMPARE(db.bookingVersion(mine.bookingId), before.value(mine.bookingId) + 1);
        for (const Row &r : { orphanA, orphanB, theirs })
            QCOMPARE(db.bookingVersion(r.bookingId), before.value(r.bookingId));

        // Adopt one, discard the other; bad keys change nothing.
        const CtlResult adopted
            = home.run({ QStringLiteral("queue"), QStringLiteral("adopt"), orphanA.key });
        QVERIFY2(adopted.exited(0), qPrintable(adopted.describe()));
        const CtlResult notAnOrphan
            = home.run({ QStringLiteral("queue"), QStringLiteral("adopt"), theirs.key });
        QVERIFY2(notAnOrphan.exited(1) && notAnOrphan.err.contains("already belongs"),
            qPrintable(notAnOrphan.describe()));
        const CtlResult unknown
            = home.run({ QStringLiteral("queue"), QStringLiteral("adopt"), newKey() });
        QVERIFY2(unknown.exited(1) && unknown.err.contains("no queued mutation"),
            qPrintable(unknown.describe()));
        const CtlResult discarded
            = home.run({ QStringLiteral("queue"), QStringLiteral("discard"), orphanB.key });
        QVERIFY2(discarded.exited(0), qPrintable(discarded.describe()));
        rows = byKey(
            home.run({ QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("list") })
                .jsonLines());
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.value(orphanA.key).value(QStringLiteral("user_id")).toString(), agent1Id);
        QCOMPARE(rows.value(orphanA.key).value(QStringLiteral("state")).toString(),
            QStringLiteral("queued"));
        QCOMPARE(rows.value(orphanA.key).value(QStringLiteral("last_error")).toString(), QString());
        QCOMPARE(rows.value(theirs.key).value(QStringLiteral("user_id")).toString(), agent2Id);

        // The adopted one goes, once, with its key, as agent1; agent2's stays theirs.
        const CtlResult second = home.run(
            { QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(second.exited(1), qPrintable(second.describe()));
        summary = second.jsonLines().value(second.jsonLines().size() - 1);
        QCOMPARE(summary.value(QStringLiteral("confirmed")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("not_sent")).toInt(), 1);
        QCOMPARE(db.bookingVersion(orphanA.bookingId), before.value(orphanA.bookingId) + 1);
        QCOMPARE(
            db.scalar(
                QStringLiteral(
                    "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ? AND user_id = ?"),
                { orphanA.key, agent1Id }),
            1);
        QCOMPARE(db.bookingVersion(orphanB.bookingId), before.value(orphanB.bookingId));
        QCOMPARE(db.bookingVersion(theirs.bookingId), before.value(theirs.bookingId));
        QCOMPARE(db.keyRecords(orphanB.key), 0);

        const CtlResult none = home.run(
            { QStringLiteral("queue"), QStringLiteral("adopt"), QStringLiteral("--all") });
        QVERIFY2(
            none.exited(0) && none.out.contains("nothing to adopt"), qPrintable(none.describe()));
    }

    // Only rows that wait for the user: retry-all needs no sign-in to say so, and fails.
    void retryAllExplainsWhatWaitsForTheUser()
    {
        CtlHome home(CtlHome::Environment::NoKeychain);
        QVERIFY(home.isValid());
        const Row orphan { newKey(), QString(), QStringLiteral("b-1") };
        QString error;
        QVERIFY2(writeVersion1Queue(home.queuePath(), { orphan }, &error), qPrintable(error));
        // No server at all: nothing is contacted.
        const CtlResult r
            = home.run({ QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:9"),
                QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(r.exited(1), qPrintable(r.describe()));
        QVERIFY2(r.out.contains("0 confirmed, 1 not sent") && r.out.contains("queue adopt --all"),
            qPrintable(r.describe()));
        QVERIFY2(r.err.contains("1 mutation(s) could not be sent"), qPrintable(r.describe()));
    }
};

QTEST_GUILESS_MAIN(TestCtlQueue)
#include "tst_ctl_queue.moc"
