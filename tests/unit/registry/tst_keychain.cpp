// Logins saved in Slipway, in a real system keychain: gnome-keyring's Secret Service on a D-Bus
// session of the test's own. main() re-runs this executable under dbus-run-session with an
// unlocked gnome-keyring-daemon (its keyrings in a temporary directory), and once more without
// any session bus for the no-keychain case.

#include "../../integration/pushtestimage.h"
#include "clirun.h"
#include "deploy/appsecrets.h"
#include "keyringsession.h"
#include "logcapture.h"
#include "registry/credentials.h"
#include "registry/savedcredentials.h"
#include "registryserver.h"
#include "testfiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <algorithm>

#include <csignal>
#include <cstdio>
#include <thread>

#include <sys/prctl.h>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::dockerConfigJson;
using slipway::test::filesContaining;
using slipway::test::LogCapture;
using slipway::test::RegistryServer;
using slipway::test::runCli;
using slipway::test::writeFile;

namespace {

const char modeVariable[] = "SLIPWAY_TST_KEYCHAIN";
const QString savedSecret = QStringLiteral("Saved-Keychain-Secret-4711");
const QString configSecret = QStringLiteral("Config-Json-Secret-0815");
const QString noKeychainStart =
    QStringLiteral("no system keychain (Secret Service over D-Bus) is available:");

// The child run without a session bus: prints what save() and find() said, one per line.
int noBusChild()
{
    const QString index = qEnvironmentVariable("SLIPWAY_TST_INDEX");
    const QString registry = QStringLiteral("nobus.example:5000");
    SavedCredentials saved(index);
    Credential credential;
    credential.username = QStringLiteral("user");
    credential.secret = savedSecret;
    const Status stored = saved.save(registry, credential);
    const auto found = saved.find(registry);
    CredentialStore store({}, {});
    store.setSavedLogins(index);
    const auto viaStore = store.find(registry);
    QTextStream out(stdout);
    out << "save " << (stored ? QStringLiteral("ok") : stored.error().message) << '\n';
    out << "find "
        << (!found          ? found.error().message
            : found.value() ? QStringLiteral("found")
                            : QStringLiteral("none"))
        << '\n';
    out << "store "
        << (!viaStore          ? viaStore.error().message
            : viaStore.value() ? QStringLiteral("found")
                               : QStringLiteral("none"))
        << '\n';
    return 0;
}

} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LogCapture> m_log; // from initTestCase on: QTest::qExec installs a handler of its own

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(SavedCredentials::hasSessionBus(), "the test must run on its own D-Bus session");
        m_log = std::make_unique<LogCapture>(QStringLiteral("*.debug=true"));
    }

    void cleanupTestCase() { m_log.reset(); }

    void saveFindRemoveRoundTrip()
    {
        QTemporaryDir config;
        SavedCredentials saved(config.filePath(QStringLiteral("logins.json")));
        const QString registry = QStringLiteral("roundtrip.example:5000");
        QCOMPARE(saved.registries().value(), QStringList());
        QVERIFY(saved.find(registry).value() == std::nullopt);

        Credential credential;
        credential.username = QStringLiteral("alice");
        credential.secret = savedSecret;
        const Status stored = saved.save(registry, credential);
        QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
        QCOMPARE(saved.registries().value(), QStringList{registry});
        auto found = saved.find(registry);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->username, QStringLiteral("alice"));
        QCOMPARE(found.value()->secret, savedSecret);
        QVERIFY(!found.value()->isIdentityToken);

        // Saving again replaces the login; an identity token keeps its kind.
        credential.username.clear();
        credential.secret = savedSecret + QStringLiteral("-token");
        credential.isIdentityToken = true;
        QVERIFY(saved.save(registry, credential));
        found = saved.find(registry);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->secret, savedSecret + QStringLiteral("-token"));
        QVERIFY(found.value()->isIdentityToken);
        QCOMPARE(saved.registries().value(), QStringList{registry});

        // Another index (another data dir) does not see this login.
        QTemporaryDir other;
        QVERIFY(SavedCredentials(other.filePath(QStringLiteral("logins.json"))).find(registry).value() ==
                std::nullopt);

        QVERIFY(saved.remove(registry));
        QVERIFY(saved.find(registry).value() == std::nullopt);
        QCOMPARE(saved.registries().value(), QStringList());
        const Status again = saved.remove(registry);
        QVERIFY(!again);
        QCOMPARE(again.error().kind, Error::Kind::BadInput);
        QVERIFY2(again.error().message.contains(registry), qPrintable(again.error().message));

        // The keychain entry is gone too, not only the index line.
        QVERIFY(writeFile(saved.indexFile(), QByteArray("{\"registries\": [\"roundtrip.example:5000\"]}")));
        QVERIFY(saved.find(registry).value() == std::nullopt);
    }

    // App secrets (AppSecrets) in the same keychain: set, listed by name, resolved with a keyed
    // hash that is stable for a value and changes with it, apart per app; a missing one is a
    // one-line error; an index that cannot be written takes back only a new value.
    void appSecretsRoundTrip()
    {
        QTemporaryDir config;
        AppSecrets secrets(config.filePath(QStringLiteral("secrets.json")));
        const QString value = QStringLiteral("App-Secret-Value-2718");
        QVERIFY(secrets.set(QStringLiteral("web"), QStringLiteral("DB_PASSWORD"), value));
        QVERIFY(secrets.set(QStringLiteral("web-staging"), QStringLiteral("DB_PASSWORD"), value));
        const auto listed = secrets.list(QStringLiteral("web"));
        QVERIFY(listed && listed->size() == 1);
        QCOMPARE(listed->constFirst().name, QStringLiteral("DB_PASSWORD"));
        QVERIFY(listed->constFirst().set.isValid());

        const QStringList names{QStringLiteral("DB_PASSWORD")};
        auto first = secrets.resolve(QStringLiteral("web"), names);
        QVERIFY2(first, first ? "" : qPrintable(first.error().message));
        QCOMPARE(first->values.value(QStringLiteral("DB_PASSWORD")), value);
        const QString hash = first->hashes.value(QStringLiteral("DB_PASSWORD"));
        QCOMPARE(hash.size(), 64);
        QVERIFY(!hash.contains(value));
        QCOMPARE(secrets.resolve(QStringLiteral("web"), names)->hashes.value(QStringLiteral("DB_PASSWORD")),
                 hash);
        // The same value of another app hashes apart; a new value hashes anew.
        QVERIFY(secrets.resolve(QStringLiteral("web-staging"), names)
                    ->hashes.value(QStringLiteral("DB_PASSWORD")) != hash);
        QVERIFY(secrets.set(QStringLiteral("web"), QStringLiteral("DB_PASSWORD"), value + u'!'));
        QVERIFY(secrets.resolve(QStringLiteral("web"), names)->hashes.value(QStringLiteral("DB_PASSWORD")) !=
                hash);

        const auto missing =
            secrets.resolve(QStringLiteral("web"), {QStringLiteral("API_KEY")}, QStringLiteral("x"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::BadInput);
        QCOMPARE(missing.error().message,
                 QStringLiteral(
                     "app web ([env.x]): secret API_KEY is not set; set it with 'slipway-cli secret set "
                     "web API_KEY' (value on standard input)"));

        // An index that cannot be written: a new value is taken back out of the keychain.
        AppSecrets broken(config.filePath(QStringLiteral("secrets.json/inside/secrets.json")));
        QVERIFY(!broken.set(QStringLiteral("web"), QStringLiteral("NEW_ONE"), value));
        QVERIFY(!secrets.resolve(QStringLiteral("web"), {QStringLiteral("NEW_ONE")}));
        QVERIFY(writeFile(config.filePath(QStringLiteral("listed.json")),
                          QByteArray("{\"apps\": {\"web\": {\"NEW_ONE\": \"2026-01-01T00:00:00Z\"}}}")));
        QVERIFY(!AppSecrets(config.filePath(QStringLiteral("listed.json")))
                     .resolve(QStringLiteral("web"), {QStringLiteral("NEW_ONE")}));

        QVERIFY(secrets.remove(QStringLiteral("web"), QStringLiteral("DB_PASSWORD")));
        QVERIFY(!secrets.resolve(QStringLiteral("web"), names));
        QVERIFY(secrets.resolve(QStringLiteral("web-staging"), names));
        QCOMPARE(filesContaining(config.path(), value), QStringList());
        QCOMPARE(m_log->linesWith(value), QStringList());
    }

    void worksFromAnyThread()
    {
        // A build looks base-image logins up on worker threads, a push on the main thread.
        QTemporaryDir config;
        SavedCredentials saved(config.filePath(QStringLiteral("logins.json")));
        const QString registry = QStringLiteral("threads.example:5000");
        Credential credential;
        credential.username = QStringLiteral("carol");
        credential.secret = savedSecret;
        Status stored = Error::failed(QStringLiteral("not run"));
        std::thread([&] { stored = saved.save(registry, credential); }).join();
        QVERIFY(stored);
        QStringList users;
        for (int i = 0; i < 3; ++i) {
            std::thread([&] {
                const auto found = saved.find(registry);
                users += found && found.value() ? found.value()->username : QStringLiteral("none");
            }).join();
            const auto found = saved.find(registry);
            users += found && found.value() ? found.value()->username : QStringLiteral("none");
        }
        QCOMPARE(users, QStringList(6, QStringLiteral("carol")));
        QVERIFY(saved.remove(registry));
    }

    void secretIsInNoFileAndNoLog()
    {
        QTemporaryDir data;
        const QString index = data.filePath(QStringLiteral("config/logins.json"));
        const QString registry = QStringLiteral("quiet.example:5000");
        m_log->clear();
        SavedCredentials saved(index);
        Credential credential;
        credential.username = QStringLiteral("bob");
        credential.secret = savedSecret;
        QVERIFY(saved.save(registry, credential));
        CredentialStore store({}, {});
        store.setSavedLogins(index);
        const auto found = store.find(registry);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->secret, savedSecret);

        QVERIFY(QFileInfo::exists(index));
        QCOMPARE(filesContaining(data.path(), savedSecret), QStringList());
        // The keyring files of gnome-keyring are encrypted: the secret is not in them either.
        QCOMPARE(filesContaining(qEnvironmentVariable("XDG_DATA_HOME"), savedSecret), QStringList());

        const QStringList logLines = m_log->lines();
        // Debug logging is on and said something about this registry, but never the secret.
        QVERIFY2(std::any_of(logLines.cbegin(), logLines.cend(),
                             [&](const QString &line) { return line.contains(registry); }),
                 qPrintable(logLines.join(u'\n')));
        for (const QString &line : std::as_const(logLines))
            QVERIFY2(!line.contains(savedSecret), qPrintable(line));
        QVERIFY(saved.remove(registry));
    }

    void savedLoginComesBeforeConfigJson()
    {
        QTemporaryDir work;
        const QString registry = QStringLiteral("order.example:5000");
        const QString dockerFile = work.filePath(QStringLiteral("docker/config.json"));
        QVERIFY(
            writeFile(dockerFile, dockerConfigJson(registry, QStringLiteral("docker-user"), configSecret)));
        const QString podmanFile = work.filePath(QStringLiteral("auth.json"));
        QVERIFY(
            writeFile(podmanFile, dockerConfigJson(registry, QStringLiteral("podman-user"), configSecret)));
        const QString index = work.filePath(QStringLiteral("config/logins.json"));

        CredentialStore store({podmanFile}, dockerFile);
        store.setSavedLogins(index);
        auto found = store.find(registry);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->username, QStringLiteral("podman-user"));

        SavedCredentials saved(index);
        Credential credential;
        credential.username = QStringLiteral("saved-user");
        credential.secret = savedSecret;
        QVERIFY(saved.save(registry, credential));
        found = store.find(registry);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->username, QStringLiteral("saved-user"));
        QCOMPARE(found.value()->secret, savedSecret);

        // A registry without a saved login still gets Docker's.
        const QString other = QStringLiteral("other.example:5000");
        QVERIFY(writeFile(dockerFile, dockerConfigJson(other, QStringLiteral("docker-user"), configSecret)));
        found = CredentialStore({}, dockerFile).find(other);
        QVERIFY(found && found.value());
        store = CredentialStore({}, dockerFile);
        store.setSavedLogins(index);
        found = store.find(other);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->username, QStringLiteral("docker-user"));

        QVERIFY(saved.remove(registry));
        QVERIFY(
            writeFile(dockerFile, dockerConfigJson(registry, QStringLiteral("docker-user"), configSecret)));
        found = store.find(registry);
        QVERIFY(found && found.value());
        QCOMPARE(found.value()->username, QStringLiteral("docker-user"));
    }

    void withoutSessionBusSaveFailsAndLookupIsSkipped()
    {
        QTemporaryDir work;
        const QString index = work.filePath(QStringLiteral("logins.json"));
        // The index names the registry, so find() would ask the keychain if there were one.
        QVERIFY(writeFile(index, QByteArray("{\"registries\": [\"nobus.example:5000\"]}")));
        QDir().mkpath(work.filePath(QStringLiteral("run")));

        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        environment.remove(QStringLiteral("DISPLAY"));
        environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), work.filePath(QStringLiteral("run")));
        environment.insert(QString::fromLatin1(modeVariable), QStringLiteral("nobus"));
        environment.insert(QStringLiteral("SLIPWAY_TST_INDEX"), index);
        QProcess child;
        child.setProcessEnvironment(environment);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(120000));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QCOMPARE(child.exitCode(), 0);
        const QStringList lines =
            QString::fromUtf8(child.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(0).startsWith(QStringLiteral("save ") + noKeychainStart), qPrintable(lines.at(0)));
        QVERIFY2(lines.at(0).contains(QStringLiteral("dbus-run-session")), qPrintable(lines.at(0)));
        QVERIFY(!lines.at(0).contains(savedSecret));
        QCOMPARE(lines.at(1), QStringLiteral("find none"));
        QCOMPARE(lines.at(2), QStringLiteral("store none"));
        // Never a plaintext fallback.
        QCOMPARE(filesContaining(work.path(), savedSecret), QStringList());

        // The CLI says the same in one line, exit status 1, and saves nothing.
        const QString home = work.filePath(QStringLiteral("home"));
        QProcess cli;
        environment.remove(QString::fromLatin1(modeVariable));
        environment.insert(QStringLiteral("SLIPWAY_HOME"), home);
        cli.setProcessEnvironment(environment);
        cli.start(QStringLiteral(SLIPWAY_CLI),
                  {QStringLiteral("login"), QStringLiteral("nobus.example:5000"),
                   QStringLiteral("--username"), QStringLiteral("user"), QStringLiteral("--password-stdin"),
                   QStringLiteral("--no-verify")});
        cli.write(savedSecret.toUtf8() + '\n');
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 1);
        const QString err = QString::fromUtf8(cli.readAllStandardError()).trimmed();
        QVERIFY2(err.startsWith(QStringLiteral("slipway-cli login: ") + noKeychainStart), qPrintable(err));
        QCOMPARE(err.count(u'\n'), 0);
        QVERIFY(!err.contains(savedSecret));
        QVERIFY(!QFileInfo::exists(home + QStringLiteral("/logins.json")));
        QCOMPARE(filesContaining(work.path(), savedSecret), QStringList());
    }

    void badLoginUsage()
    {
        QTemporaryDir work;
        const CliRun run = runCli({QStringLiteral("login"), QStringLiteral("argv.example:5000"),
                                   QStringLiteral("--username"), QStringLiteral("u"),
                                   QStringLiteral("--password"), savedSecret},
                                  {QStringLiteral("SLIPWAY_HOME=") + work.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--password-stdin")), qPrintable(run.err));
        QVERIFY(!run.err.contains(savedSecret));
        QCOMPARE(run.err.trimmed().count(u'\n'), 0);
        QVERIFY(!QFileInfo::exists(work.filePath(QStringLiteral("logins.json"))));

        const QStringList environment{QStringLiteral("SLIPWAY_HOME=") + work.path()};
        const CliRun noRegistry = runCli({QStringLiteral("login"), QStringLiteral("--username"),
                                          QStringLiteral("u"), QStringLiteral("--password-stdin")},
                                         environment);
        QCOMPARE(noRegistry.exitCode, 2);
        QVERIFY2(noRegistry.err.contains(QStringLiteral("REGISTRY")), qPrintable(noRegistry.err));
        const CliRun noUser = runCli({QStringLiteral("login"), QStringLiteral("argv.example:5000"),
                                      QStringLiteral("--password-stdin"), QStringLiteral("--no-verify")},
                                     environment);
        QCOMPARE(noUser.exitCode, 2);
        QVERIFY2(noUser.err.contains(QStringLiteral("--username")), qPrintable(noUser.err));
        const CliRun notSaved =
            runCli({QStringLiteral("logout"), QStringLiteral("argv.example:5000")}, environment);
        QCOMPARE(notSaved.exitCode, 2);
        QVERIFY2(notSaved.err.contains(QStringLiteral("argv.example:5000")), qPrintable(notSaved.err));
        const CliRun list = runCli(
            {QStringLiteral("--json"), QStringLiteral("login"), QStringLiteral("--list")}, environment);
        QCOMPARE(list.exitCode, 0);
        QCOMPARE(
            QJsonDocument::fromJson(list.out).object().value(QStringLiteral("registries")).toArray().size(),
            0);
    }

    void cliLoginThenPushWithoutConfigJson()
    {
        RegistryServer registry(RegistryServer::Mode::TlsWithBasicAuth);
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        QTemporaryDir work;
        const QString home = work.filePath(QStringLiteral("home"));
        QFile ca(registry.caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QVERIFY(writeFile(home + QStringLiteral("/certs.d/") + registry.address() + QStringLiteral("/ca.crt"),
                          ca.readAll()));
        QDir().mkpath(work.filePath(QStringLiteral("docker")));
        const QStringList environment{
            QStringLiteral("SLIPWAY_HOME=") + home,
            QStringLiteral("DOCKER_CONFIG=") + work.filePath(QStringLiteral("docker")), // no config.json
            QStringLiteral("REGISTRY_AUTH_FILE=") + work.filePath(QStringLiteral("none.json")),
            QStringLiteral("QT_LOGGING_RULES=*.debug=true")};
        const auto login = [&](const QString &password) {
            QProcess process;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            for (const QString &assignment : environment)
                env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
            process.setProcessEnvironment(env);
            process.start(QStringLiteral(SLIPWAY_CLI),
                          {QStringLiteral("login"), registry.address(), QStringLiteral("--username"),
                           registry.username(), QStringLiteral("--password-stdin")});
            process.write(password.toUtf8() + '\n');
            process.closeWriteChannel();
            CliRun run;
            if (process.waitForFinished(120000) && process.exitStatus() == QProcess::NormalExit)
                run.exitCode = process.exitCode();
            run.out = process.readAllStandardOutput();
            run.err = QString::fromUtf8(process.readAllStandardError());
            return run;
        };
        const auto savedList = [&] {
            const CliRun list = runCli({QStringLiteral("login"), QStringLiteral("--list")}, environment);
            return QString::fromUtf8(list.out).split(u'\n', Qt::SkipEmptyParts);
        };

        const QString wrongPassword = QStringLiteral("Wrong-Keychain-Pass-99");
        const CliRun refused = login(wrongPassword);
        QCOMPARE(refused.exitCode, 1);
        // Debug logging is on, so stderr has log lines too; the error is the last line.
        const QString refusal = refused.err.trimmed().section(u'\n', -1);
        QVERIFY2(refusal.startsWith(QStringLiteral("slipway-cli login: ")), qPrintable(refused.err));
        QVERIFY2(refusal.contains(registry.address()), qPrintable(refusal));
        QVERIFY2(!refused.err.contains(wrongPassword), qPrintable(refused.err));
        QVERIFY(!refused.out.contains(wrongPassword.toUtf8()));
        QCOMPARE(savedList(), QStringList());

        const CliRun accepted = login(registry.password());
        QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.err));
        QVERIFY2(!accepted.err.contains(registry.password()), qPrintable(accepted.err));
        QVERIFY(!accepted.out.contains(registry.password().toUtf8()));
        QCOMPARE(savedList(), QStringList{registry.address()});

        QTemporaryDir image;
        const test::PushTestImage pushed =
            test::makePushTestImage(image.filePath(QStringLiteral("layout")), {4096, 20000}, 7);
        const QString reference = registry.address() + QStringLiteral("/keychain/app:v1");
        const QStringList push{QStringLiteral("--json"), QStringLiteral("push"),
                               QStringLiteral("--oci-layout"), pushed.directory, reference};
        const CliRun run = runCli(push, environment);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(!run.err.contains(registry.password()), qPrintable(run.err));
        QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QStringLiteral("pushed")).toString(),
                 reference);
        QCOMPARE(filesContaining(home, registry.password()), QStringList());

        // It was the saved login that let the push in: after logout the registry refuses it.
        const CliRun logout = runCli({QStringLiteral("logout"), registry.address()}, environment);
        QVERIFY2(logout.exitCode == 0, qPrintable(logout.err));
        QCOMPARE(savedList(), QStringList());
        const CliRun anonymous = runCli(push, environment);
        QCOMPARE(anonymous.exitCode, 1);
    }
};

int main(int argc, char **argv)
{
    const QByteArray mode = qgetenv(modeVariable);
    if (mode.isEmpty())
        return slipway::test::runUnderKeyring(argc, argv, modeVariable);
    QCoreApplication app(argc, argv);
    if (mode == "nobus")
        return noBusChild();
    TestKeychain test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychain.moc"
