// Where RegistryTransport lets credentials and URLs go, without a server: the registry's own
// origin, and the checks on every URL a registry hands back (upload locations, redirects, the
// token realm). tst_registryfaults shows the same rules against the real registry over HTTP;
// this covers the HTTPS registry the harness has no token realm for.

#include "registry/registrytransport.h"

#include <QTest>

using namespace slipway;

class TestRegistryTransport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ownOriginIsSchemeHostAndPort_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("own");
        QTest::newRow("a path") << QStringLiteral("/v2/app/blobs/uploads/1") << true;
        QTest::newRow("the same, absolute") << QStringLiteral("https://registry.example:5000/v2/x") << true;
        QTest::newRow("host in capitals") << QStringLiteral("https://REGISTRY.example:5000/v2/x") << true;
        QTest::newRow("another port") << QStringLiteral("https://registry.example:5001/v2/x") << false;
        QTest::newRow("the default port") << QStringLiteral("https://registry.example/v2/x") << false;
        QTest::newRow("another host") << QStringLiteral("https://storage.example:5000/v2/x") << false;
        QTest::newRow("plain http") << QStringLiteral("http://registry.example:5000/v2/x") << false;
        QTest::newRow("user info trick")
            << QStringLiteral("https://registry.example:5000@evil.example/v2/x") << false;
    }

    void ownOriginIsSchemeHostAndPort()
    {
        QFETCH(QString, url);
        QFETCH(bool, own);
        RegistryTransport transport(QStringLiteral("registry.example:5000"), std::nullopt, {}, false);
        QVERIFY(transport.chooseScheme()); // HTTPS, without a request: plain HTTP is not allowed
        QCOMPARE(transport.isOwnOrigin(url), own);
    }

    void urlsAreHttpOrHttpsAndNeverDowngraded_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("problem"); // empty: accepted
        QTest::newRow("https realm") << QStringLiteral("https://auth.example/token") << QString();
        QTest::newRow("relative") << QStringLiteral("/v2/app/blobs/uploads/1") << QString();
        QTest::newRow("http realm from https")
            << QStringLiteral("http://auth.example/token")
            << QStringLiteral("http://auth.example/token would leave HTTPS for plain HTTP");
        QTest::newRow("file") << QStringLiteral("file:///etc/passwd")
                              << QStringLiteral("file:///etc/passwd is not an http or https URL");
        QTest::newRow("ftp") << QStringLiteral("ftp://x/y")
                             << QStringLiteral("ftp://x/y is not an http or https URL");
        const QString huge = QStringLiteral("gopher://") + QString(5000, u'a');
        QTest::newRow("a long one is cut")
            << huge << huge.left(200) + QStringLiteral("… (5009 characters) is not an http or https URL");
    }

    void urlsAreHttpOrHttpsAndNeverDowngraded()
    {
        QFETCH(QString, url);
        QFETCH(QString, problem);
        RegistryTransport transport(QStringLiteral("registry.example:5000"), std::nullopt, {}, false);
        QVERIFY(transport.chooseScheme());
        const auto checked = transport.checkedUrl(url);
        if (problem.isEmpty()) {
            QVERIFY2(checked, qPrintable(checked ? QString() : checked.error().message));
            QVERIFY(checked->scheme() == u"https");
        } else {
            QVERIFY(!checked);
            QCOMPARE(checked.error().message, problem);
        }
    }
};

QTEST_GUILESS_MAIN(TestRegistryTransport)
#include "tst_registrytransport.moc"
