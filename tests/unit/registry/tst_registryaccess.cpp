// Registries the user marked insecure, as Podman's registries.conf and Docker's daemon.json say.

#include "registry/registryaccess.h"

#include <QTemporaryDir>
#include <QTest>

using namespace slipway;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

} // namespace

class TestRegistryAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_conf = m_dir.filePath(QStringLiteral("registries.conf"));
        m_daemon = m_dir.filePath(QStringLiteral("daemon.json"));
        QFile::remove(m_conf);
        QFile::remove(m_daemon);
        qputenv("CONTAINERS_REGISTRIES_CONF", m_conf.toUtf8());
        qputenv("SLIPWAY_DOCKER_DAEMON_JSON", m_daemon.toUtf8());
        qputenv("SLIPWAY_HOME", m_dir.filePath(QStringLiteral("home")).toUtf8());
    }

    void registriesConf_data()
    {
        QTest::addColumn<QByteArray>("conf");
        QTest::addColumn<QString>("registry");
        QTest::addColumn<bool>("insecure");
        const QByteArray v2 =
            "unqualified-search-registries = [\"docker.io\"]\n"
            "[[registry]]\nlocation = \"build.internal:5000\"\ninsecure = true\n"
            "[[registry]]\nlocation = \"secure.internal\"\ninsecure = false\n"
            "[[registry]]\nprefix = \"mirror.internal/team\"\nlocation = \"x\"\ninsecure = true\n";
        QTest::newRow("marked") << v2 << QStringLiteral("build.internal:5000") << true;
        QTest::newRow("other port") << v2 << QStringLiteral("build.internal:5001") << false;
        QTest::newRow("marked secure") << v2 << QStringLiteral("secure.internal") << false;
        QTest::newRow("prefix with a path") << v2 << QStringLiteral("mirror.internal") << true;
        QTest::newRow("not listed") << v2 << QStringLiteral("quay.io") << false;
        const QByteArray v1 = "[registries.insecure]\nregistries = [\"old.internal:5000\"]\n";
        QTest::newRow("v1 form") << v1 << QStringLiteral("old.internal:5000") << true;
        QTest::newRow("v1 form, not listed") << v1 << QStringLiteral("quay.io") << false;
    }

    void registriesConf()
    {
        QFETCH(QByteArray, conf);
        QFETCH(QString, registry);
        QFETCH(bool, insecure);
        QVERIFY(writeFile(m_conf, conf));
        Result<bool> marked = isMarkedInsecure(registry);
        QVERIFY2(marked, marked ? "" : qPrintable(marked.error().message));
        QCOMPARE(*marked, insecure);
        auto client = openRegistryClient(registry, {});
        QVERIFY(client);
        QCOMPARE((*client)->allowsPlainHttp(), insecure);
    }

    void dockerDaemonJson()
    {
        QVERIFY(writeFile(m_daemon, "{\"insecure-registries\": [\"dock.internal:5000\"]}"));
        Result<bool> marked = isMarkedInsecure(QStringLiteral("dock.internal:5000"));
        QVERIFY(marked);
        QVERIFY(*marked);
        marked = isMarkedInsecure(QStringLiteral("quay.io"));
        QVERIFY(marked);
        QVERIFY(!*marked);
    }

    void loopbackNeedsNoMark()
    {
        auto client = openRegistryClient(QStringLiteral("127.0.0.1:5000"), {});
        QVERIFY(client);
        QVERIFY((*client)->allowsPlainHttp());
        client = openRegistryClient(QStringLiteral("registry.example.com"), {});
        QVERIFY(client);
        QVERIFY(!(*client)->allowsPlainHttp());
    }

    void brokenFilesAreNamed()
    {
        QVERIFY(writeFile(m_conf, "[[registry]\nlocation = \n"));
        Result<bool> marked = isMarkedInsecure(QStringLiteral("quay.io"));
        QVERIFY(!marked);
        QCOMPARE(marked.error().kind, Error::Kind::BadInput);
        QVERIFY2(marked.error().message.startsWith(m_conf + QStringLiteral(":1: not valid TOML: ")),
                 qPrintable(marked.error().message));
        QVERIFY(!marked.error().message.contains(u'\n'));
        auto client = openRegistryClient(QStringLiteral("quay.io"), {});
        QVERIFY(!client);

        QFile::remove(m_conf);
        QVERIFY(writeFile(m_daemon, "{ not json"));
        marked = isMarkedInsecure(QStringLiteral("quay.io"));
        QVERIFY(!marked);
        QVERIFY2(marked.error().message.startsWith(m_daemon + QStringLiteral(": not valid JSON: ")),
                 qPrintable(marked.error().message));
    }

private:
    QTemporaryDir m_dir;
    QString m_conf;
    QString m_daemon;
};

QTEST_GUILESS_MAIN(TestRegistryAccess)
#include "tst_registryaccess.moc"
