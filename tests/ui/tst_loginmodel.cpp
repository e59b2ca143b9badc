// Registry logins in the window: LoginModel and the Settings page against a real docker-registry
// (TLS with its own CA, htpasswd Basic auth) and a real keychain (gnome-keyring's Secret Service
// on a D-Bus session of the test's own, as tst_keychain runs). main() re-runs this executable
// under dbus-run-session with an unlocked gnome-keyring-daemon whose keyrings live in a temporary
// directory. A login the registry refuses is never saved, a saved one is what the CLI and a push
// find, a removed one is gone from the keychain, and no message, property or log line ever holds
// the password. The Apps page's Secrets dialog (SecretModel) is driven here too, on the same
// keychain: a value set there is what `slipway-cli secret list` lists and a deploy reads.

#include "uitestutil.h"
#include "windowtestutil.h"

#include "clirun.h"
#include "console.h"
#include "deploy/appsecrets.h"
#include "deploy/release.h"
#include "history/history.h"
#include "keyringsession.h"
#include "logcapture.h"
#include "models/loginmodel.h"
#include "models/secretmodel.h"
#include "registry/credentials.h"
#include "registry/registryaccess.h"
#include "registry/savedcredentials.h"
#include "registryserver.h"
#include "testfiles.h"
#include "util/paths.h"

#include <QAbstractItemModelTester>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QTextStream>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include <sys/prctl.h>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;
using slipway::CredentialStore;
using slipway::SavedCredentials;

namespace {

const char modeVariable[] = "SLIPWAY_TST_LOGINMODEL";
const QString wrongPassword = QStringLiteral("Wrong-Login-Model-Pass-31337");

// The registry's CA where Slipway looks for it: certs.d/<host:port>/ca.crt in the config dir.
bool trustRegistry(const RegistryServer &registry, const QString &dataDir)
{
    QFile ca(registry.caCertificatePath());
    return ca.open(QIODevice::ReadOnly) &&
           writeFile(slipway::DataDirs::resolve(dataDir).config + QStringLiteral("/certs.d/") +
                         registry.address() + QStringLiteral("/ca.crt"),
                     ca.readAll());
}

// What `slipway-cli login --list` says for dataDir.
QStringList cliLogins(const QString &dataDir)
{
    const CliRun run =
        runCli({QStringLiteral("--data-dir"), dataDir, QStringLiteral("login"), QStringLiteral("--list")});
    if (run.exitCode != 0)
        return {QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err)};
    return QString::fromUtf8(run.out).split(u'\n', Qt::SkipEmptyParts);
}

// The saved login for registry through the store a push uses: its username, "none", or the error.
QString storedUser(const QString &dataDir, const QString &registry, QString *secret = nullptr)
{
    const auto found = CredentialStore::fromEnvironment(dataDir).find(registry);
    if (!found)
        return found.error().message;
    if (!found.value())
        return QStringLiteral("none");
    if (secret)
        *secret = found.value()->secret;
    return found.value()->username;
}

// Every role of every row, as text: the password must be in none of them.
QStringList allModelText(const QAbstractItemModel &model)
{
    QStringList text;
    const QList<int> roles = model.roleNames().keys();
    for (int row = 0; row < model.rowCount(); ++row)
        for (int role : roles)
            text += model.index(row, 0).data(role).toString();
    return text;
}

// The child run without a session bus (mode "nobus"): prints the row's problem after a refresh
// and the error of a login the registry accepts, one per line.
int noBusChild()
{
    LoginModel model(qEnvironmentVariable("SLIPWAY_TST_DATA"));
    QTextStream out(stdout);
    QSignalSpy refreshed(&model, &LoginModel::refreshed);
    model.refresh();
    if (!refreshed.wait(60000) || model.count() != 1)
        return 1;
    out << "problem " << model.index(0).data(LoginModel::ProblemRole).toString() << '\n';
    QSignalSpy added(&model, &LoginModel::added);
    model.add(qEnvironmentVariable("SLIPWAY_TST_REGISTRY"), QStringLiteral("slipway"),
              qEnvironmentVariable("SLIPWAY_TST_PASSWORD"));
    if (!added.wait(60000))
        return 1;
    out << "add "
        << (added.constFirst().at(0).toBool() ? QStringLiteral("ok") : added.constFirst().at(2).toString())
        << '\n';
    return 0;
}

} // namespace

class TestLoginModel final : public QObject
{
    Q_OBJECT

private:
    RegistryServer m_registry{RegistryServer::Mode::TlsWithBasicAuth};
    std::unique_ptr<LogCapture> m_log; // from initTestCase on: QTest::qExec installs a handler of its own
    QTemporaryDir m_data;
    std::unique_ptr<LoginModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    // add() and its answer: ok, and the error through *error.
    bool add(const QString &registry, const QString &username, const QString &password, QString *error)
    {
        QSignalSpy added(m_model.get(), &LoginModel::added);
        m_model->add(registry, username, password);
        if (!added.wait(60000))
            return false;
        *error = added.constFirst().at(2).toString();
        return added.constFirst().at(0).toBool();
    }

    bool refresh()
    {
        QSignalSpy refreshed(m_model.get(), &LoginModel::refreshed);
        m_model->refresh();
        return refreshed.wait(60000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(SavedCredentials::hasSessionBus(), "the test must run on its own D-Bus session");
        // Here, not in main(): QTest::qExec installs a handler of its own.
        m_log = std::make_unique<LogCapture>();
        QVERIFY(m_data.isValid());
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        QVERIFY(trustRegistry(m_registry, m_data.path()));
        m_model = std::make_unique<LoginModel>(m_data.path());
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m_model->indexFile(), m_data.filePath(QStringLiteral("logins.json")));
        QVERIFY(refresh());
        QCOMPARE(m_model->count(), 0);
        QVERIFY(!m_model->isBusy());
    }

    void registryNames()
    {
        QCOMPARE(LoginModel::registryName(QStringLiteral(" https://reg.example:5000/v2/ ")),
                 QStringLiteral("reg.example:5000"));
        QCOMPARE(LoginModel::registryName(QStringLiteral("index.docker.io")), QStringLiteral("docker.io"));
        QCOMPARE(LoginModel::registryName(QStringLiteral("[::1]:5000")), QStringLiteral("[::1]:5000"));
        QCOMPARE(LoginModel::registryName(QStringLiteral("reg example")), QString());
        QCOMPARE(LoginModel::registryName(QStringLiteral("reg.example:port")), QString());
    }

    void badInputIsRefusedNamingTheRegistry()
    {
        QString error;
        QVERIFY(!add(m_registry.address(), QString(), wrongPassword, &error));
        QVERIFY2(error.contains(m_registry.address()) && error.contains(QStringLiteral("username")),
                 qPrintable(error));
        QVERIFY(!add(m_registry.address(), QStringLiteral("someone"), QString(), &error));
        QVERIFY2(error.contains(m_registry.address()) && error.contains(QStringLiteral("password")),
                 qPrintable(error));
        QVERIFY(!add(QStringLiteral("not a registry"), QStringLiteral("someone"), wrongPassword, &error));
        QVERIFY2(error.contains(QStringLiteral("'not a registry'")), qPrintable(error));
        QVERIFY(!add(QString(), QStringLiteral("someone"), wrongPassword, &error));
        QVERIFY2(error.contains(QStringLiteral("registry")), qPrintable(error));
        QCOMPARE(m_model->error(), error);
        QVERIFY(!error.contains(wrongPassword));
        QVERIFY(!QFileInfo::exists(m_model->indexFile()));
    }

    void wrongPasswordIsRefusedAndNothingSaved()
    {
        QString error;
        QVERIFY(!add(m_registry.address(), m_registry.username(), wrongPassword, &error));
        QVERIFY2(error.contains(m_registry.address()), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("nothing saved")), qPrintable(error));
        QVERIFY2(!error.contains(u'\n'), qPrintable(error));
        QVERIFY2(!error.contains(wrongPassword), qPrintable(error));
        QCOMPARE(m_model->error(), error);
        QVERIFY(!m_model->isBusy());
        QCOMPARE(m_model->count(), 0);
        QCOMPARE(SavedCredentials(m_model->indexFile()).registries().value(), QStringList());
        QCOMPARE(storedUser(m_data.path(), m_registry.address()), QStringLiteral("none"));
        QCOMPARE(cliLogins(m_data.path()), QStringList());
    }

    void rightPasswordIsSavedAndFound()
    {
        QString error;
        QSignalSpy refreshed(m_model.get(), &LoginModel::refreshed);
        // Typed as a URL, as `docker login` takes it.
        QVERIFY2(add(QStringLiteral("https://") + m_registry.address() + u'/', m_registry.username(),
                     m_registry.password(), &error),
                 qPrintable(error));
        QVERIFY(error.isEmpty());
        QVERIFY(m_model->error().isEmpty());
        QVERIFY(refreshed.wait(60000));
        QCOMPARE(m_model->count(), 1);
        const QModelIndex row = m_model->index(0);
        QCOMPARE(row.data(LoginModel::RegistryRole).toString(), m_registry.address());
        QCOMPARE(row.data(LoginModel::UsernameRole).toString(), m_registry.username());
        QCOMPARE(row.data(LoginModel::ProblemRole).toString(), QString());
        for (const QString &text : allModelText(*m_model))
            QVERIFY(!text.contains(m_registry.password()));

        // What the CLI lists and what a push looks up.
        QCOMPARE(cliLogins(m_data.path()), QStringList{m_registry.address()});
        QString secret;
        QCOMPARE(storedUser(m_data.path(), m_registry.address(), &secret), m_registry.username());
        QCOMPARE(secret, m_registry.password());
        auto client = slipway::openRegistryClient(m_registry.address(), m_data.path());
        QVERIFY(client);
        const slipway::Status pinged = client.value()->ping();
        QVERIFY2(pinged, qPrintable(pinged ? QString() : pinged.error().message));

        // Another model on the same data dir (the next launch) reads the username back.
        LoginModel again(m_data.path());
        QSignalSpy againRefreshed(&again, &LoginModel::refreshed);
        again.refresh();
        QVERIFY(againRefreshed.wait(60000));
        QCOMPARE(again.count(), 1);
        QCOMPARE(again.index(0).data(LoginModel::UsernameRole).toString(), m_registry.username());
    }

    void wrongPasswordKeepsTheSavedLogin()
    {
        QString error;
        QVERIFY(!add(m_registry.address(), m_registry.username(), wrongPassword, &error));
        QVERIFY2(error.contains(m_registry.address()) && !error.contains(wrongPassword), qPrintable(error));
        QString secret;
        QCOMPARE(storedUser(m_data.path(), m_registry.address(), &secret), m_registry.username());
        QCOMPARE(secret, m_registry.password());
    }

    void removeForgetsIt()
    {
        QCOMPARE(m_model->count(), 1);
        QSignalSpy removed(m_model.get(), &LoginModel::removed);
        QSignalSpy refreshed(m_model.get(), &LoginModel::refreshed);
        m_model->remove(0);
        QVERIFY(removed.wait(60000));
        QVERIFY2(removed.constFirst().at(0).toBool(), qPrintable(removed.constFirst().at(2).toString()));
        QCOMPARE(removed.constFirst().at(1).toString(), m_registry.address());
        QVERIFY(refreshed.wait(60000));
        QCOMPARE(m_model->count(), 0);
        QCOMPARE(cliLogins(m_data.path()), QStringList());
        QCOMPARE(storedUser(m_data.path(), m_registry.address()), QStringLiteral("none"));
        // Gone from the keychain too, not only from the index.
        QVERIFY(writeFile(m_model->indexFile(), QByteArray("{\"registries\": [\"") +
                                                    m_registry.address().toUtf8() + QByteArray("\"]}")));
        QVERIFY(refresh());
        QCOMPARE(m_model->count(), 1);
        const QString problem = m_model->index(0).data(LoginModel::ProblemRole).toString();
        QVERIFY2(problem.contains(m_registry.address()) && problem.contains(QStringLiteral("log in again")),
                 qPrintable(problem));
        QCOMPARE(storedUser(m_data.path(), m_registry.address()), QStringLiteral("none"));
        // The saved login was what let a client in: without it the registry refuses.
        auto client = slipway::openRegistryClient(m_registry.address(), m_data.path());
        QVERIFY(client);
        QVERIFY(!client.value()->ping());
        m_model->remove(0);
        QVERIFY(removed.wait(60000));
        QVERIFY(refreshed.wait(60000));
        QCOMPARE(m_model->count(), 0);
    }

    void withoutSessionBusNothingIsSaved()
    {
        // The index names a registry, so the page lists it and says why there is no username.
        QTemporaryDir work;
        QVERIFY(trustRegistry(m_registry, work.path()));
        QVERIFY(writeFile(work.filePath(QStringLiteral("logins.json")),
                          QByteArray("{\"registries\": [\"nobus.example:5000\"]}")));
        QDir().mkpath(work.filePath(QStringLiteral("run")));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        environment.remove(QStringLiteral("DISPLAY"));
        environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), work.filePath(QStringLiteral("run")));
        environment.insert(QString::fromLatin1(modeVariable), QStringLiteral("nobus"));
        environment.insert(QStringLiteral("SLIPWAY_TST_DATA"), work.path());
        environment.insert(QStringLiteral("SLIPWAY_TST_REGISTRY"), m_registry.address());
        environment.insert(QStringLiteral("SLIPWAY_TST_PASSWORD"), m_registry.password());
        QProcess child;
        child.setProcessEnvironment(environment);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(120000));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        const QString err = QString::fromUtf8(child.readAllStandardError());
        QVERIFY2(child.exitCode() == 0, qPrintable(err));
        const QStringList lines =
            QString::fromUtf8(child.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).contains(QStringLiteral("D-Bus")), qPrintable(lines.at(0)));
        QVERIFY2(lines.at(1).startsWith(QStringLiteral("add login to registry ") + m_registry.address()) &&
                     lines.at(1).contains(QStringLiteral("no system keychain")),
                 qPrintable(lines.at(1)));
        QVERIFY(!lines.at(1).contains(m_registry.password()));
        QVERIFY(!err.contains(m_registry.password()));
        QCOMPARE(SavedCredentials(work.filePath(QStringLiteral("logins.json"))).registries().value(),
                 QStringList{QStringLiteral("nobus.example:5000")});
    }

    void noSecretInAnyLogLine()
    {
        // Debug logging is on (main()) and the model's own line named the registry.
        QVERIFY(!m_log->linesWith(m_registry.address()).isEmpty());
        QCOMPARE(m_log->linesWith(m_registry.password()), QStringList());
        QCOMPARE(m_log->linesWith(wrongPassword), QStringList());
    }

    void cleanupTestCase()
    {
        m_tester.reset();
        m_model.reset();
        m_log.reset();
    }
};

// The Settings page's Registry logins section, driven as a user would.
class TestSettingsPage final : public QObject
{
    Q_OBJECT

private:
    RegistryServer m_registry{RegistryServer::Mode::TlsWithBasicAuth};
    std::unique_ptr<LogCapture> m_log; // from initTestCase on: QTest::qExec installs a handler of its own
    QTemporaryDir m_data;
    std::unique_ptr<Console> m_console;
    LoginModel *m_logins = nullptr;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;

    QQuickItem *item(const QString &name) { return findItem(m_window->contentItem(), name); }
    QQuickItem *row(const QString &registry)
    {
        return findVisibleItem(m_window->contentItem(), QStringLiteral("login_") + registry);
    }

    // Types into the form and clicks Log in; the answer comes back through added().
    bool logIn(const QString &password, QString *error)
    {
        item(QStringLiteral("loginRegistryField"))->setProperty("text", m_registry.address());
        item(QStringLiteral("loginUsernameField"))->setProperty("text", m_registry.username());
        item(QStringLiteral("loginPasswordField"))->setProperty("text", password);
        QSignalSpy added(m_logins, &LoginModel::added);
        if (!QQuickTest::qWaitForPolish(m_window) ||
            !clickItem(m_window, item(QStringLiteral("loginButton"))))
            return false;
        if (!added.wait(60000))
            return false;
        *error = added.constFirst().at(2).toString();
        return added.constFirst().at(0).toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_log = std::make_unique<LogCapture>();
        isolateSettings();
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        QVERIFY(m_data.isValid());
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        QVERIFY(trustRegistry(m_registry, m_data.path()));

        m_console = std::make_unique<Console>(m_data.path());
        m_logins = &m_console->logins;
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_logins, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(slipway::test::loadWindow(*m_console, m_engine, m_warnings, m_window));
        QSignalSpy refreshed(m_logins, &LoginModel::refreshed);
        QVERIFY(m_console->navigation.showPage(QStringLiteral("Settings")));
        QTRY_VERIFY(item(QStringLiteral("settingsPage"))->isVisible());
        // Showing the page reads the logins.
        QVERIFY(refreshed.count() > 0 || refreshed.wait(60000));
        QTRY_VERIFY(!m_logins->isBusy());
        QCOMPARE(m_logins->count(), 0);
    }

    void emptyStateSaysOtherLoginsCount()
    {
        QQuickItem *empty = item(QStringLiteral("loginsEmpty"));
        QVERIFY(empty);
        QTRY_VERIFY(empty->isVisible());
        QVERIFY(empty->property("explanation").toString().contains(QStringLiteral("Podman's and Docker's")));
        QQuickItem *password = item(QStringLiteral("loginPasswordField"));
        const QMetaProperty echoMode =
            password->metaObject()->property(password->metaObject()->indexOfProperty("echoMode"));
        QCOMPARE(echoMode.enumerator().valueToKey(password->property("echoMode").toInt()), "Password");
        // Nothing typed: nothing to log in with.
        QVERIFY(!item(QStringLiteral("loginButton"))->isEnabled());
    }

    void wrongPasswordShowsOneLine()
    {
        QString error;
        QVERIFY(!logIn(wrongPassword, &error));
        QVERIFY2(error.contains(m_registry.address()) && !error.contains(wrongPassword), qPrintable(error));
        QQuickItem *shown = item(QStringLiteral("loginError"));
        QTRY_VERIFY(shown->isVisible());
        QCOMPARE(shown->property("text").toString(), error);
        QCOMPARE(m_logins->count(), 0);
        QCOMPARE(cliLogins(m_data.path()), QStringList());
        // The form keeps what was typed, to be corrected.
        QCOMPARE(item(QStringLiteral("loginRegistryField"))->property("text").toString(),
                 m_registry.address());
    }

    void logInAddsTheRow()
    {
        QSignalSpy refreshed(m_logins, &LoginModel::refreshed);
        QString error;
        QVERIFY2(logIn(m_registry.password(), &error), qPrintable(error));
        QVERIFY(refreshed.wait(60000));
        QTRY_VERIFY(row(m_registry.address()));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QTRY_COMPARE(
            findItem(row(m_registry.address()), QStringLiteral("loginUser"))->property("text").toString(),
            m_registry.username());
        QVERIFY(!item(QStringLiteral("loginError"))->isVisible());
        QVERIFY(!item(QStringLiteral("loginsEmpty"))->isVisible());
        // The password is not kept in the form once the keychain has it.
        QCOMPARE(item(QStringLiteral("loginPasswordField"))->property("text").toString(), QString());
        QCOMPARE(cliLogins(m_data.path()), QStringList{m_registry.address()});
        QCOMPARE(storedUser(m_data.path(), m_registry.address()), m_registry.username());
    }

    void removeAsksFirst()
    {
        QTRY_VERIFY(row(m_registry.address()));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QVERIFY(
            clickItem(m_window, findItem(row(m_registry.address()), QStringLiteral("removeLoginButton"))));
        auto *dialog =
            item(QStringLiteral("settingsPage"))->findChild<QObject *>(QStringLiteral("confirmRemoveLogin"));
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QVERIFY2(dialog->property("title").toString().contains(m_registry.address()),
                 qPrintable(dialog->property("title").toString()));
        QCOMPARE(m_logins->count(), 1); // nothing removed before the answer
        QSignalSpy removed(m_logins, &LoginModel::removed);
        QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
        QVERIFY(removed.wait(60000));
        QVERIFY2(removed.constFirst().at(0).toBool(), qPrintable(removed.constFirst().at(2).toString()));
        QTRY_COMPARE(m_logins->count(), 0);
        QTRY_VERIFY(item(QStringLiteral("loginsEmpty"))->isVisible());
        QCOMPARE(cliLogins(m_data.path()), QStringList());
        QCOMPARE(storedUser(m_data.path(), m_registry.address()), QStringLiteral("none"));
    }

    void noSecretShown()
    {
        QVERIFY(!m_log->linesWith(m_registry.address()).isEmpty());
        QCOMPARE(m_log->linesWith(m_registry.password()), QStringList());
        QCOMPARE(m_log->linesWith(wrongPassword), QStringList());
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }

    void cleanupTestCase()
    {
        m_engine.reset();
        m_tester.reset();
        m_log.reset();
    }
};

// The Apps page's Secrets dialog, driven as a user would: an app typed before its first deploy,
// a secret set and listed (as the CLI and a deploy find it), bad input in one line, removal.
class TestSecretsDialog final : public QObject
{
    Q_OBJECT

private:
    const QString m_value = QStringLiteral("Dialog-Secret-Value-8086");
    std::unique_ptr<LogCapture> m_log;
    QTemporaryDir m_data;
    std::unique_ptr<Console> m_console;
    SecretModel *m_secrets = nullptr;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;
    QObject *m_dialog = nullptr;

    QQuickItem *item(const QString &name) { return findItem(m_window->contentItem(), name); }

    // Types a name and a value and clicks Set; the answer comes back through saved().
    bool setSecret(const QString &name, const QString &value, QString *error)
    {
        item(QStringLiteral("secretNameField"))->setProperty("text", name);
        item(QStringLiteral("secretValueField"))->setProperty("text", value);
        QSignalSpy saved(m_secrets, &SecretModel::saved);
        if (!QTest::qWaitFor([&] { return item(QStringLiteral("setSecretButton"))->isEnabled(); }) ||
            !QQuickTest::qWaitForPolish(m_window) ||
            !clickItem(m_window, item(QStringLiteral("setSecretButton"))) ||
            (saved.isEmpty() && !saved.wait(60000)))
            return false;
        *error = saved.constFirst().at(2).toString();
        return saved.constFirst().at(0).toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_log = std::make_unique<LogCapture>();
        isolateSettings();
        // The style is the one TestSettingsPage set: it cannot change once QML is loaded.
        QVERIFY(m_data.isValid());
        m_console = std::make_unique<Console>(m_data.path());
        m_secrets = &m_console->secrets;
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_secrets, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(slipway::test::loadWindow(*m_console, m_engine, m_warnings, m_window));
        QVERIFY(m_console->navigation.showPage(QStringLiteral("Apps")));
        QTRY_VERIFY(item(QStringLiteral("appsPage"))->isVisible());
        m_dialog = item(QStringLiteral("appsPage"))->findChild<QObject *>(QStringLiteral("secretsDialog"));
        QVERIFY(m_dialog);
    }

    // No app deployed yet: the header's Secrets button opens the dialog, and the app is typed.
    void typedAppBeforeItsFirstDeploy()
    {
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QVERIFY(clickItem(m_window, item(QStringLiteral("secretsButton"))));
        QTRY_VERIFY(m_dialog->property("opened").toBool());
        QVERIFY(!item(QStringLiteral("setSecretButton"))->isEnabled()); // no app, no name, no value
        QQuickItem *app = item(QStringLiteral("secretsAppField"));
        app->setProperty("text", QStringLiteral("web-staging"));
        QVERIFY(QMetaObject::invokeMethod(app, "editingFinished"));
        QTRY_COMPARE(m_secrets->app(), QStringLiteral("web-staging"));
        QTRY_VERIFY(!m_secrets->isBusy());
        QCOMPARE(m_secrets->count(), 0);
        QQuickItem *value = item(QStringLiteral("secretValueField"));
        const QMetaProperty echoMode =
            value->metaObject()->property(value->metaObject()->indexOfProperty("echoMode"));
        QCOMPARE(echoMode.enumerator().valueToKey(value->property("echoMode").toInt()), "Password");
    }

    void setListsItAndTheCliAndDeployFindIt()
    {
        QString error;
        QVERIFY2(setSecret(QStringLiteral("DB_PASSWORD"), m_value, &error), qPrintable(error));
        QTRY_VERIFY(findVisibleItem(m_window->contentItem(), QStringLiteral("secret_DB_PASSWORD")));
        // Not kept in the form once the keychain has it.
        QCOMPARE(item(QStringLiteral("secretValueField"))->property("text").toString(), QString());
        const CliRun listed = runCli({QStringLiteral("--data-dir"), m_data.path(), QStringLiteral("secret"),
                                      QStringLiteral("list"), QStringLiteral("web"), QStringLiteral("--env"),
                                      QStringLiteral("staging")});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.out.contains("DB_PASSWORD"), listed.out.constData());
        const auto resolved = slipway::AppSecrets::forDataDir(m_data.path())
                                  .resolve(QStringLiteral("web-staging"), {QStringLiteral("DB_PASSWORD")},
                                           QStringLiteral("staging"));
        QVERIFY2(resolved.ok(), resolved.ok() ? "" : qPrintable(resolved.error().message));
        QCOMPARE(resolved->values.value(QStringLiteral("DB_PASSWORD")), m_value);
    }

    void badNameShowsOneLine()
    {
        QString error;
        QVERIFY(!setSecret(QStringLiteral("db-password"), m_value, &error));
        QVERIFY2(error.startsWith(QStringLiteral("'db-password' is not a secret name")) &&
                     !error.contains(u'\n'),
                 qPrintable(error));
        QTRY_COMPARE(item(QStringLiteral("secretsError"))->property("text").toString(), error);
        QTRY_COMPARE(m_secrets->count(), 1);
    }

    void removeTakesItOut()
    {
        QTRY_VERIFY(!m_secrets->isBusy()); // the list read again after the refusal
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QQuickItem *row = findVisibleItem(m_window->contentItem(), QStringLiteral("secret_DB_PASSWORD"));
        QVERIFY(row);
        QSignalSpy removed(m_secrets, &SecretModel::removed);
        QVERIFY(clickItem(m_window, findItem(row, QStringLiteral("removeSecretButton"))));
        QVERIFY(!removed.isEmpty() || removed.wait(60000));
        QVERIFY2(removed.constFirst().at(0).toBool(), qPrintable(removed.constFirst().at(2).toString()));
        QTRY_COMPARE(m_secrets->count(), 0);
        const auto resolved = slipway::AppSecrets::forDataDir(m_data.path())
                                  .resolve(QStringLiteral("web-staging"), {QStringLiteral("DB_PASSWORD")});
        QVERIFY(!resolved);
    }

    // A rollback's confirmation names the secrets whose value changed since the release it goes
    // back to (DeployController::previewRollback over core's changedSecrets), read from the
    // keychain off the GUI thread.
    void rollbackConfirmationSaysWhichSecretsChanged()
    {
        auto history = slipway::History::open(
            slipway::History::defaultPath(slipway::DataDirs::resolve(m_data.path()).data));
        QVERIFY(history);
        slipway::Target local;
        local.name = QStringLiteral("local");
        local.endpoint = QStringLiteral("unix:///nowhere.sock");
        QVERIFY(history.value()->addTarget(local));
        slipway::AppSecrets secrets = slipway::AppSecrets::forDataDir(m_data.path());
        slipway::DeploySpec deploy;
        deploy.secrets = {QStringLiteral("API_KEY"), QStringLiteral("TOKEN")};
        QVERIFY(secrets.set(QStringLiteral("web"), QStringLiteral("TOKEN"), QStringLiteral("kept-token")));
        for (const QString &value : {QStringLiteral("first-key"), QStringLiteral("second-key")}) {
            QVERIFY(secrets.set(QStringLiteral("web"), QStringLiteral("API_KEY"), value));
            const auto resolved = secrets.resolve(QStringLiteral("web"), deploy.secrets);
            QVERIFY(resolved);
            slipway::ReleaseRecord release;
            release.project = QStringLiteral("web");
            release.image = QStringLiteral("localhost/slipway-web");
            release.digest = QStringLiteral("sha256:") + QString(64, value == u"first-key" ? u'1' : u'2');
            release.deploySettings =
                slipway::deploySettingsJson(QStringLiteral("web"), deploy, {}, resolved->hashes);
            const auto id = history.value()->addRelease(release);
            QVERIFY(id);
            const auto deployment = history.value()->startDeployment(id.value(), QStringLiteral("local"));
            QVERIFY(deployment);
            QVERIFY(history.value()->finishDeployment(deployment.value(),
                                                      slipway::DeploymentResult::Succeeded, {}, {}));
            QTest::qWait(5); // finish times apart: the second is current
        }
        m_console->deploy.previewRollback(QStringLiteral("local"), QStringLiteral("web"));
        QTRY_COMPARE(
            m_console->deploy.rollbackNote(),
            QStringLiteral("Since release 1, API_KEY changed: the containers get the values set now."));
        // Nothing changed since the current one: no note.
        QVERIFY(secrets.set(QStringLiteral("web"), QStringLiteral("API_KEY"), QStringLiteral("first-key")));
        m_console->deploy.previewRollback(QStringLiteral("local"), QStringLiteral("web"));
        QTRY_COMPARE(m_console->deploy.rollbackNote(), QString());
        QTest::qWait(200);
        QCOMPARE(m_console->deploy.rollbackNote(), QString());
    }

    void noValueShown()
    {
        QCOMPARE(m_log->linesWith(m_value), QStringList());
        QCOMPARE(filesContaining(m_data.path(), m_value), QStringList());
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }

    void cleanupTestCase()
    {
        m_engine.reset();
        m_tester.reset();
        m_log.reset();
    }
};

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty(modeVariable))
        return slipway::test::runUnderKeyring(
            argc, argv, modeVariable, [](QProcessEnvironment &environment, const QString &root) {
                // Only the logins the test saves: no config.json,
                // no Podman auth file (XDG_RUNTIME_DIR is new too).
                QDir().mkpath(root + QStringLiteral("/docker"));
                environment.insert(QStringLiteral("DOCKER_CONFIG"), root + QStringLiteral("/docker"));
                // Not $REGISTRY_AUTH_FILE: docker-registry takes
                // REGISTRY_* variables as its own configuration.
                environment.remove(QStringLiteral("REGISTRY_AUTH_FILE"));
                environment.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
            });
    QGuiApplication app(argc, argv);
    if (qgetenv(modeVariable) == "nobus")
        return noBusChild();
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true\nqt.*.debug=false"));
    TestLoginModel model;
    int status = QTest::qExec(&model, argc, argv);
    TestSettingsPage page;
    status |= QTest::qExec(&page, argc, argv);
    TestSecretsDialog secrets;
    status |= QTest::qExec(&secrets, argc, argv);
    return status;
}

#include "tst_loginmodel.moc"
