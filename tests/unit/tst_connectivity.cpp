// Connectivity is the one owner of "online": the evidence reported to it decides, and every
// change is one onlineChanged.
#include "connectivity.h"

#include <QSignalSpy>
#include <QTest>

class TestConnectivity : public QObject
{
    Q_OBJECT
private slots:
    void evidenceDecidesAndEachChangeIsSignalledOnce()
    {
        Connectivity connectivity;
        if (!connectivity.isNetworkUp())
            QSKIP("this machine's network information says the network is down");
        QSignalSpy changed(&connectivity, &Connectivity::onlineChanged);
        QVERIFY(connectivity.isOnline()); // until shown otherwise

        connectivity.reportServer(false); // a request never reached the server
        QVERIFY(!connectivity.isOnline());
        connectivity.reportServer(false);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toBool(), false);

        connectivity.reportRealtimeLive();
        QVERIFY(connectivity.isOnline());
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(0).toBool(), true);

        connectivity.reportServer(false);
        connectivity.retryRequested(); // the user asks: reachable until an answer says not
        QVERIFY(connectivity.isOnline());
        connectivity.reportServer(true);
        QCOMPARE(changed.size(), 4);
        QCOMPARE(changed.at(3).at(0).toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TestConnectivity)
#include "tst_connectivity.moc"
