#include "registry/credentials.h"

#include "logcapture.h"
#include "testfiles.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace slipway;
using slipway::test::LogCapture;
using slipway::test::writeFile;

namespace {

const QString fileSecret = QStringLiteral("FILE-SECRET-17");
const QString helperSecret = QStringLiteral("HELPER-SECRET-42");

// Answers `get` like docker-credential-helpers do, by the server it is asked about.
const QByteArray helperScript =
    "#!/bin/sh\n"
    "[ \"$1\" = get ] || exit 2\n"
    "read -r server\n"
    "case \"$server\" in\n"
    "found.example|https://index.docker.io/v1/)\n"
    "  printf '{\"ServerURL\":\"%s\",\"Username\":\"helper-user\",\"Secret\":\"%s\"}\\n' "
    "\"$server\" HELPER-SECRET-42 ;;\n"
    "token.example)\n"
    "  printf '{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"%s\"}\\n' "
    "\"$server\" HELPER-SECRET-42 ;;\n"
    "failing.example) echo 'keychain is locked' >&2; exit 3 ;;\n"
    "leaky.example) printf '{\"Username\":\"u\",\"Secret\":\"HELPER-SECRET-42\"}\\n'; exit 1 ;;\n"
    "garbage.example) echo 'HELPER-SECRET-42 is not JSON' ;;\n"
    "slow.example) exec sleep 5 ;;\n"
    "*) echo 'credentials not found in native keychain'; exit 1 ;;\n"
    "esac\n";

QString basicAuth(const QString &user, const QString &password)
{
    return QString::fromLatin1((user + u':' + password).toUtf8().toBase64());
}

QJsonObject authEntry(const QString &user, const QString &password)
{
    return {{QStringLiteral("auth"), basicAuth(user, password)}};
}

bool writeJson(const QString &path, const QJsonObject &object)
{
    return writeFile(path, QJsonDocument(object).toJson());
}

QJsonObject auths(const QJsonObject &entries)
{
    return {{QStringLiteral("auths"), entries}};
}

} // namespace

class TestCredentials final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_helperDir;
    QByteArray m_oldPath;
    QTemporaryDir m_dir;
    std::unique_ptr<LogCapture> m_log; // from initTestCase on: QTest::qExec installs a handler of its own

    QString path(const QString &name) const { return m_dir.filePath(name); }
    CredentialStore dockerOnly(const QJsonObject &config, const QString &name = QStringLiteral("config.json"))
    {
        writeJson(path(name), config);
        return CredentialStore({}, path(name));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_helperDir.isValid());
        QVERIFY(m_dir.isValid());
        const QString helper = m_helperDir.filePath(QStringLiteral("docker-credential-test"));
        QVERIFY(writeFile(helper, helperScript));
        QVERIFY(QFile::setPermissions(helper, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        m_oldPath = qgetenv("PATH");
        qputenv("PATH", QFile::encodeName(m_helperDir.path()) + ':' + m_oldPath);
        m_log = std::make_unique<LogCapture>(QStringLiteral("slipway.registry.debug=true"));
    }
    void cleanupTestCase()
    {
        m_log.reset();
        qputenv("PATH", m_oldPath);
    }

    void nothingConfiguredMeansAnonymous()
    {
        const CredentialStore store({path(QStringLiteral("absent/auth.json"))},
                                    path(QStringLiteral("absent/config.json")));
        const auto found = store.find(QStringLiteral("docker.io"));
        QVERIFY(found);
        QVERIFY(!found.value());
    }

    void matchesKeysAsDockerDoes_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("registry");
        QTest::newRow("host") << QStringLiteral("reg.example:5000") << QStringLiteral("reg.example:5000");
        QTest::newRow("https") << QStringLiteral("https://reg.example:5000")
                               << QStringLiteral("reg.example:5000");
        QTest::newRow("http") << QStringLiteral("http://reg.example:5000")
                              << QStringLiteral("reg.example:5000");
        QTest::newRow("v1 url") << QStringLiteral("https://reg.example:5000/v1/")
                                << QStringLiteral("reg.example:5000");
        QTest::newRow("hub index url")
            << QStringLiteral("https://index.docker.io/v1/") << QStringLiteral("docker.io");
        QTest::newRow("hub host") << QStringLiteral("docker.io") << QStringLiteral("docker.io");
        QTest::newRow("hub legacy host") << QStringLiteral("index.docker.io") << QStringLiteral("docker.io");
        QTest::newRow("hub registry url")
            << QStringLiteral("https://registry-1.docker.io") << QStringLiteral("docker.io");
    }
    void matchesKeysAsDockerDoes()
    {
        QFETCH(QString, key);
        QFETCH(QString, registry);
        // A password with a colon: only the first colon separates the user.
        const CredentialStore store =
            dockerOnly(auths({{key, authEntry(QStringLiteral("alice"), QStringLiteral("pa:ss"))}}));
        const auto found = store.find(registry);
        QVERIFY2(found, qPrintable(found ? QString() : found.error().message));
        QVERIFY(found.value());
        QCOMPARE(found.value()->username, QStringLiteral("alice"));
        QCOMPARE(found.value()->secret, QStringLiteral("pa:ss"));
        QVERIFY(!found.value()->isIdentityToken);
    }

    void prefersTheExactKey()
    {
        const CredentialStore store = dockerOnly(auths({
            {QStringLiteral("https://reg.example"), authEntry(QStringLiteral("url"), QStringLiteral("x"))},
            {QStringLiteral("reg.example"), authEntry(QStringLiteral("exact"), QStringLiteral("y"))},
        }));
        QCOMPARE(store.find(QStringLiteral("reg.example")).value()->username, QStringLiteral("exact"));
    }

    void doesNotMatchOtherHosts_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("registry");
        QTest::newRow("other port") << QStringLiteral("reg.example") << QStringLiteral("reg.example:5000");
        QTest::newRow("other host") << QStringLiteral("reg.example") << QStringLiteral("other.example");
        QTest::newRow("suffix") << QStringLiteral("https://evil-reg.example")
                                << QStringLiteral("reg.example");
        QTest::newRow("repository-scoped podman key")
            << QStringLiteral("quay.io/ns/repo") << QStringLiteral("quay.io");
        QTest::newRow("hub is not another registry")
            << QStringLiteral("https://index.docker.io/v1/") << QStringLiteral("quay.io");
    }
    void doesNotMatchOtherHosts()
    {
        QFETCH(QString, key);
        QFETCH(QString, registry);
        const CredentialStore store =
            dockerOnly(auths({{key, authEntry(QStringLiteral("alice"), fileSecret)}}));
        const auto found = store.find(registry);
        QVERIFY(found);
        QVERIFY(!found.value());
    }

    void readsIdentityTokensAndPlainFields()
    {
        QJsonObject tokenEntry = authEntry(QStringLiteral("alice"), QString());
        tokenEntry.insert(QStringLiteral("identitytoken"), QStringLiteral("refresh-token"));
        const CredentialStore store = dockerOnly(auths({
            {QStringLiteral("token.example"), tokenEntry},
            {QStringLiteral("plain.example"),
             QJsonObject{{QStringLiteral("username"), QStringLiteral("bob")},
                         {QStringLiteral("password"), QStringLiteral("pw")}}},
            {QStringLiteral("empty.example"), QJsonObject{}},
        }));
        const auto token = store.find(QStringLiteral("token.example"));
        QVERIFY(token && token.value());
        QCOMPARE(token.value()->username, QStringLiteral("alice"));
        QCOMPARE(token.value()->secret, QStringLiteral("refresh-token"));
        QVERIFY(token.value()->isIdentityToken);

        const auto plain = store.find(QStringLiteral("plain.example"));
        QVERIFY(plain && plain.value());
        QCOMPARE(plain.value()->username, QStringLiteral("bob"));
        QCOMPARE(plain.value()->secret, QStringLiteral("pw"));

        const auto empty = store.find(QStringLiteral("empty.example"));
        QVERIFY(empty);
        QVERIFY(!empty.value());
    }

    void podmanComesFirst()
    {
        const QString podman = path(QStringLiteral("podman/auth.json"));
        const QString docker = path(QStringLiteral("docker/config.json"));
        QVERIFY(writeJson(podman, auths({{QStringLiteral("both.example"),
                                          authEntry(QStringLiteral("podman"), QStringLiteral("p"))}})));
        QVERIFY(writeJson(
            docker,
            auths({
                {QStringLiteral("both.example"), authEntry(QStringLiteral("docker"), QStringLiteral("d"))},
                {QStringLiteral("docker.example"), authEntry(QStringLiteral("docker"), QStringLiteral("d"))},
            })));
        const CredentialStore store({path(QStringLiteral("podman/missing.json")), podman}, docker);
        QCOMPARE(store.find(QStringLiteral("both.example")).value()->username, QStringLiteral("podman"));
        QCOMPARE(store.find(QStringLiteral("docker.example")).value()->username, QStringLiteral("docker"));
    }

    void resolvesTheDefaultFiles()
    {
        const QByteArray oldAuthFile = qgetenv("REGISTRY_AUTH_FILE");
        const QByteArray oldRuntime = qgetenv("XDG_RUNTIME_DIR");
        const QByteArray oldConfigHome = qgetenv("XDG_CONFIG_HOME");
        const QByteArray oldDocker = qgetenv("DOCKER_CONFIG");

        qputenv("REGISTRY_AUTH_FILE", "/somewhere/auth.json");
        qputenv("DOCKER_CONFIG", "/elsewhere/docker");
        CredentialStore store = CredentialStore::fromEnvironment();
        QCOMPARE(store.podmanAuthFiles(), QStringList{QStringLiteral("/somewhere/auth.json")});
        QCOMPARE(store.dockerConfigFile(), QStringLiteral("/elsewhere/docker/config.json"));

        qunsetenv("REGISTRY_AUTH_FILE");
        qunsetenv("DOCKER_CONFIG");
        qputenv("XDG_RUNTIME_DIR", "/run/user/1234");
        qputenv("XDG_CONFIG_HOME", "/home/u/.config");
        store = CredentialStore::fromEnvironment();
        QCOMPARE(store.podmanAuthFiles(),
                 (QStringList{QStringLiteral("/run/user/1234/containers/auth.json"),
                              QStringLiteral("/home/u/.config/containers/auth.json")}));
        QCOMPARE(store.dockerConfigFile(), QDir::homePath() + QStringLiteral("/.docker/config.json"));

        const auto restore = [](const char *name, const QByteArray &value) {
            if (value.isNull())
                qunsetenv(name);
            else
                qputenv(name, value);
        };
        restore("REGISTRY_AUTH_FILE", oldAuthFile);
        restore("XDG_RUNTIME_DIR", oldRuntime);
        restore("XDG_CONFIG_HOME", oldConfigHome);
        restore("DOCKER_CONFIG", oldDocker);
    }

    void malformedFilesAreNamed()
    {
        const QString broken = path(QStringLiteral("broken/config.json"));
        QVERIFY(writeFile(broken, "{\"auths\": {\"x.example\": {\"auth\": \"" + fileSecret.toUtf8() + "\""));
        const auto found = CredentialStore({}, broken).find(QStringLiteral("x.example"));
        QVERIFY(!found);
        QCOMPARE(found.error().kind, Error::Kind::BadInput);
        QVERIFY2(found.error().message.contains(broken), qPrintable(found.error().message));
        QVERIFY(!found.error().message.contains(fileSecret));

        const QString notObject = path(QStringLiteral("array/auth.json"));
        QVERIFY(writeFile(notObject, "[]"));
        const auto array = CredentialStore({notObject}, QString()).find(QStringLiteral("x.example"));
        QVERIFY(!array);
        QVERIFY(array.error().message.contains(notObject));

        // An empty file is an empty configuration, as for Docker.
        const QString empty = path(QStringLiteral("empty/config.json"));
        QVERIFY(writeFile(empty, ""));
        const auto none = CredentialStore({}, empty).find(QStringLiteral("x.example"));
        QVERIFY(none);
        QVERIFY(!none.value());
    }

    void badAuthValuesAreNamed_data()
    {
        QTest::addColumn<QString>("auth");
        QTest::newRow("not base64") << QStringLiteral("%%") + fileSecret;
        QTest::newRow("no colon") << QString::fromLatin1(fileSecret.toUtf8().toBase64());
    }
    void badAuthValuesAreNamed()
    {
        QFETCH(QString, auth);
        const CredentialStore store =
            dockerOnly(auths({{QStringLiteral("x.example"), QJsonObject{{QStringLiteral("auth"), auth}}}}));
        const auto found = store.find(QStringLiteral("x.example"));
        QVERIFY(!found);
        QVERIFY(found.error().message.contains(path(QStringLiteral("config.json"))));
        QVERIFY(found.error().message.contains(QStringLiteral("x.example")));
        QVERIFY(!found.error().message.contains(fileSecret));
        QVERIFY(!found.error().message.contains(auth));
    }

    void credentialHelpers_data()
    {
        QTest::addColumn<QString>("registry");
        QTest::addColumn<QString>("username");
        QTest::addColumn<bool>("identityToken");
        QTest::newRow("found") << QStringLiteral("found.example") << QStringLiteral("helper-user") << false;
        QTest::newRow("docker hub asks for the index url")
            << QStringLiteral("docker.io") << QStringLiteral("helper-user") << false;
        QTest::newRow("identity token") << QStringLiteral("token.example") << QString() << true;
    }
    void credentialHelpers()
    {
        QFETCH(QString, registry);
        QFETCH(QString, username);
        QFETCH(bool, identityToken);
        // credHelpers wins over auths.
        QJsonObject config = auths({{registry, authEntry(QStringLiteral("file-user"), fileSecret)}});
        config.insert(QStringLiteral("credHelpers"), QJsonObject{{registry, QStringLiteral("test")}});
        const auto found = dockerOnly(config).find(registry);
        QVERIFY2(found, qPrintable(found ? QString() : found.error().message));
        QVERIFY(found.value());
        QCOMPARE(found.value()->username, username);
        QCOMPARE(found.value()->secret, helperSecret);
        QCOMPARE(found.value()->isIdentityToken, identityToken);
    }

    void credentialStoreHasTheLastWord()
    {
        QJsonObject config = auths({
            {QStringLiteral("found.example"), QJsonObject{}},
            {QStringLiteral("missing.example"), authEntry(QStringLiteral("file-user"), fileSecret)},
        });
        config.insert(QStringLiteral("credsStore"), QStringLiteral("test"));
        const CredentialStore store = dockerOnly(config);
        const auto found = store.find(QStringLiteral("found.example"));
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->secret, helperSecret);
        // As in Docker: with a store configured, `auths` holds no secrets of its own.
        const auto missing = store.find(QStringLiteral("missing.example"));
        QVERIFY(missing);
        QVERIFY(!missing.value());

        // Podman's auth.json has no credsStore.
        writeJson(path(QStringLiteral("podman-store.json")), config);
        const auto podman = CredentialStore({path(QStringLiteral("podman-store.json"))}, QString())
                                .find(QStringLiteral("missing.example"));
        QVERIFY(podman && podman.value());
        QCOMPARE(podman.value()->username, QStringLiteral("file-user"));
    }

    void helperSaysNotFound()
    {
        const auto found =
            dockerOnly(
                QJsonObject{{QStringLiteral("credHelpers"),
                             QJsonObject{{QStringLiteral("missing.example"), QStringLiteral("test")}}}})
                .find(QStringLiteral("missing.example"));
        QVERIFY2(found, qPrintable(found ? QString() : found.error().message));
        QVERIFY(!found.value());
    }

    void helperFailures_data()
    {
        QTest::addColumn<QString>("registry");
        QTest::addColumn<QString>("helper");
        QTest::addColumn<QString>("complaint");
        QTest::newRow("failing")
            << QStringLiteral("failing.example") << QStringLiteral("test")
            << QStringLiteral("failed for registry failing.example (exit status 3): keychain is locked");
        QTest::newRow("missing helper")
            << QStringLiteral("nohelper.example") << QStringLiteral("absent-xyz")
            << QStringLiteral("docker-credential-absent-xyz for registry nohelper.example is not installed");
        QTest::newRow("failing with JSON")
            << QStringLiteral("leaky.example") << QStringLiteral("test")
            << QStringLiteral("failed for registry leaky.example (exit status 1)");
        QTest::newRow("not JSON") << QStringLiteral("garbage.example") << QStringLiteral("test")
                                  << QStringLiteral(
                                         "answer for registry garbage.example that is not a JSON object");
    }
    void helperFailures()
    {
        QFETCH(QString, registry);
        QFETCH(QString, helper);
        QFETCH(QString, complaint);
        const auto found =
            dockerOnly(QJsonObject{{QStringLiteral("credHelpers"), QJsonObject{{registry, helper}}}})
                .find(registry);
        QVERIFY(!found);
        const QString &message = found.error().message;
        QVERIFY2(message.contains(QStringLiteral("docker-credential-") + helper), qPrintable(message));
        QVERIFY2(message.contains(complaint), qPrintable(message));
        QVERIFY2(!message.contains(helperSecret), qPrintable(message));
        QVERIFY(!message.contains(u'\n'));
    }

    void helperNamesAreNamesNotPaths()
    {
        const auto found =
            dockerOnly(QJsonObject{{QStringLiteral("credHelpers"),
                                    QJsonObject{{QStringLiteral("x.example"), QStringLiteral("../x")}}}})
                .find(QStringLiteral("x.example"));
        QVERIFY(!found);
        QCOMPARE(found.error().kind, Error::Kind::BadInput);
        QVERIFY2(found.error().message.contains(path(QStringLiteral("config.json"))),
                 qPrintable(found.error().message));
    }

    void slowHelperTimesOut()
    {
        CredentialStore store =
            dockerOnly(QJsonObject{{QStringLiteral("credHelpers"),
                                    QJsonObject{{QStringLiteral("slow.example"), QStringLiteral("test")}}}});
        store.setHelperTimeout(std::chrono::milliseconds(300));
        QElapsedTimer timer;
        timer.start();
        const auto found = store.find(QStringLiteral("slow.example"));
        QVERIFY(!found);
        QVERIFY2(found.error().message.contains(
                     QStringLiteral("did not answer within 0.3 s for registry slow.example")),
                 qPrintable(found.error().message));
        QVERIFY(timer.elapsed() < 4000);
    }

    // Runs last: every message and log line of this test run, and of a few more lookups, is
    // free of the secrets the files and the helper hold.
    void neverRevealsSecrets()
    {
        QJsonObject config = auths({
            {QStringLiteral("file.example"), authEntry(QStringLiteral("alice"), fileSecret)},
            {QStringLiteral("broken.example"), QJsonObject{{QStringLiteral("auth"), fileSecret}}},
        });
        config.insert(QStringLiteral("credHelpers"),
                      QJsonObject{{QStringLiteral("found.example"), QStringLiteral("test")},
                                  {QStringLiteral("failing.example"), QStringLiteral("test")},
                                  {QStringLiteral("leaky.example"), QStringLiteral("test")},
                                  {QStringLiteral("garbage.example"), QStringLiteral("test")}});
        const CredentialStore store = dockerOnly(config);
        QStringList messages = m_log->lines();
        for (const QString &registry : {QStringLiteral("file.example"), QStringLiteral("broken.example"),
                                        QStringLiteral("found.example"), QStringLiteral("failing.example"),
                                        QStringLiteral("leaky.example"), QStringLiteral("garbage.example")}) {
            const auto found = store.find(registry);
            if (!found)
                messages << found.error().message;
        }
        messages << m_log->lines();
        QVERIFY(messages.size() >= 4);
        // The debug log is on, so the check below means something.
        QVERIFY(std::any_of(messages.cbegin(), messages.cend(), [](const QString &message) {
            return message.contains(QStringLiteral("credentials for")) &&
                   message.contains(QStringLiteral("found.example"));
        }));
        for (const QString &message : std::as_const(messages)) {
            QVERIFY2(!message.contains(fileSecret), qPrintable(message));
            QVERIFY2(!message.contains(helperSecret), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
