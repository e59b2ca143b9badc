// The Targets page on a real Podman service: a target added through the page's form lands in the
// history database, Test connection shows the engine's version and under it the target's proxy
// (core's describeProxy: none yet here; a running one in tst_appspage), the release Slipway last
// deployed there is shown, bad input is refused inline with one line (never repeating a
// password), the proxy's image and ports are saved and edited in a section of the form of their own,
// Upgrade proxy asks first and makes the target's proxy (a real one, HAProxy from Debian's
// package) again from the image its settings name, and Remove asks first. TargetModel runs under
// QAbstractItemModelTester throughout. Each function has a data dir and a window of its own (init()) and adds
// the targets it needs itself; Test connection is tried on Podman and on Docker, each started once.

#include "uitestutil.h"
#include "windowtestutil.h"

#include "console.h"
#include "deploy/proxy.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "history/history.h"
#include "podmanservice.h"
#include "processes.h"
#include "util/paths.h"

#include <QAbstractItemModelTester>
#include <QAccessible>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <memory>
#include <utility>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;
using slipway::History;

class TestTargetsPage final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_data; // this function's own
    PodmanService m_podman;
    DockerService m_docker;
    QString m_historyPath;
    std::unique_ptr<Console> m_console;
    DeployController *m_controller = nullptr;
    TargetModel *m_targets = nullptr;
    HistoryModel *m_history = nullptr;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;
    bool m_proxyMade = false; // cleanup() removes the Podman service's proxy

    QQuickItem *item(const QString &name) { return findItem(m_window->contentItem(), name); }
    // A row of the target list (the visible one: a refresh replaces the delegates).
    QQuickItem *row(const QString &target)
    {
        return findVisibleItem(m_window->contentItem(), QStringLiteral("target_") + target);
    }

    // Fills the form as a user would and submits it; the answer comes back through saved().
    bool submitForm(const QString &name, const QString &endpoint, QString *error)
    {
        if (!item(QStringLiteral("targetForm"))->isVisible() &&
            !clickItem(m_window, item(QStringLiteral("addTargetButton"))))
            return false;
        item(QStringLiteral("targetNameField"))->setProperty("text", name);
        item(QStringLiteral("targetEndpointField"))->setProperty("text", endpoint);
        // The Add button's clicked(), as a click delivers it: a synthetic click right after the
        // previous one could be taken for a double click, and a key press was now and then lost.
        QQuickItem *button = item(QStringLiteral("saveTargetButton"));
        if (!button->isVisible() || !button->isEnabled())
            return false;
        QSignalSpy saved(m_targets, &TargetModel::saved);
        if (!QMetaObject::invokeMethod(button, "clicked"))
            return false;
        if (!saved.wait(20000))
            return false;
        *error = saved.constFirst().at(1).toString();
        return saved.constFirst().at(0).toBool();
    }

    QStringList storedTargets() const
    {
        QStringList names;
        auto history = History::open(m_historyPath);
        if (history)
            if (auto targets = history.value()->targets())
                for (const slipway::Target &target : targets.value())
                    names.append(target.name);
        return names;
    }

    // What a function needs before it starts: these targets added through the form.
    bool added(const QList<std::pair<QString, QString>> &targets)
    {
        int count = 0;
        for (const auto &[name, endpoint] : targets) {
            QString error;
            if (!submitForm(name, endpoint, &error))
                return false;
            // The list refreshed and the form closed, as after a user's Add.
            ++count;
            if (!QTest::qWaitFor([&] { return m_targets->count() == count && !m_targets->isBusy(); },
                                 20000) ||
                !QTest::qWaitFor([&] { return !item(QStringLiteral("targetForm"))->isVisible(); }, 20000) ||
                !QQuickTest::qWaitForPolish(m_window))
                return false;
        }
        return true;
    }
    // Clicks the row's Upgrade proxy and answers its question: Ok (accept), or Cancel. The
    // question's title and text in *question; with accept, waits for the upgrade: its message in
    // *message, and whether it succeeded.
    bool upgradeFromRow(const QString &target, bool accept, QString *question, QString *message)
    {
        if (!QTest::qWaitFor([&] { return row(target) != nullptr; }, 20000) ||
            !QQuickTest::qWaitForPolish(m_window))
            return false;
        if (!clickItem(m_window, findItem(row(target), QStringLiteral("upgradeProxyButton"))))
            return false;
        auto *dialog =
            item(QStringLiteral("targetsPage"))->findChild<QObject *>(QStringLiteral("confirmUpgradeProxy"));
        if (!dialog || !QTest::qWaitFor([&] { return dialog->property("opened").toBool(); }, 20000))
            return false;
        auto *content = dialog->property("contentItem").value<QQuickItem *>();
        QQuickItem *label = content ? findItem(content, QStringLiteral("upgradeProxyQuestion")) : nullptr;
        if (!label)
            return false;
        *question = dialog->property("title").toString() + u' ' + label->property("text").toString();
        // Nothing runs before the answer.
        if (m_targets->index(m_targets->indexOf(target)).data(TargetModel::UpgradingRole).toBool())
            return false;
        if (!accept)
            return QMetaObject::invokeMethod(dialog, "reject") &&
                   QTest::qWaitFor([&] { return !dialog->property("visible").toBool(); }, 20000);
        QSignalSpy upgraded(m_targets, &TargetModel::proxyUpgraded);
        if (!QMetaObject::invokeMethod(dialog, "accept"))
            return false;
        // Accepting returned at once: the upgrade is on its way off the GUI thread, the row says
        // so and its buttons wait.
        QQuickItem *shown = row(target);
        if (!upgraded.isEmpty() ||
            !m_targets->index(m_targets->indexOf(target)).data(TargetModel::UpgradingRole).toBool() ||
            !shown || findItem(shown, QStringLiteral("upgradeProxyButton"))->isEnabled() ||
            findItem(shown, QStringLiteral("testButton"))->isEnabled() ||
            findItem(shown, QStringLiteral("proxyUpgradeResult"))->property("text").toString() !=
                QStringLiteral("Upgrading the proxy…"))
            return false;
        if (!upgraded.wait(120000))
            return false;
        *message = upgraded.constFirst().at(2).toString();
        return upgraded.constFirst().at(0).toString() == target && upgraded.constFirst().at(1).toBool();
    }

    // The Podman service's proxy, its volume and its network gone: "no proxy yet" again.
    void removeProxy()
    {
        QString error;
        QVERIFY2(m_podman.reset({}, &error), qPrintable(error));
        QVERIFY(m_podman.removeVolume(QString::fromLatin1(slipway::TargetProxy::volume)));
        m_podman.removeNetworks();
    }

    std::pair<QString, QString> local() const { return {QStringLiteral("local"), m_podman.endpoint()}; }
    std::pair<QString, QString> gone() const
    {
        return {QStringLiteral("gone"),
                QStringLiteral("unix://") + m_data->filePath(QStringLiteral("nothing-here.sock"))};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        QVERIFY2(m_docker.start(), qPrintable(m_docker.errorString()));
    }

    void init()
    {
        isolateSettings();
        m_data = std::make_unique<QTemporaryDir>();
        QVERIFY(m_data->isValid());
        const slipway::DataDirs dirs = slipway::DataDirs::resolve(m_data->path());
        m_historyPath = History::defaultPath(dirs.data);
        m_console = std::make_unique<Console>(m_data->path());
        m_controller = &m_console->deploy;
        m_targets = &m_console->targets;
        m_history = &m_console->history;
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_targets, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(slipway::test::loadWindow(*m_console, m_engine, m_warnings, m_window));
        QVERIFY(m_console->navigation.showPage(QStringLiteral("Targets")));
        QTRY_VERIFY(item(QStringLiteral("targetsPage"))->isVisible());
        QTRY_VERIFY(!m_targets->isBusy());
        QCOMPARE(m_targets->count(), 0);
    }

    void badNameIsShownWhileTyping()
    {
        QVERIFY(clickItem(m_window, item(QStringLiteral("addTargetButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        item(QStringLiteral("targetNameField"))->setProperty("text", QStringLiteral("-web"));
        item(QStringLiteral("targetEndpointField"))->setProperty("text", QStringLiteral("unix:///x.sock"));
        auto *nameError = item(QStringLiteral("targetNameError"));
        QTRY_VERIFY(nameError->isVisible());
        QVERIFY(nameError->property("text").toString().contains(QStringLiteral("'-web'")));
        QVERIFY(!item(QStringLiteral("saveTargetButton"))->isEnabled());
        item(QStringLiteral("targetNameField"))->setProperty("text", QStringLiteral("web"));
        QTRY_VERIFY(!nameError->isVisible());
        QVERIFY(item(QStringLiteral("saveTargetButton"))->isEnabled());
    }

    void badEndpointIsRefusedInline()
    {
        QString error;
        QVERIFY(!submitForm(QStringLiteral("web"), QStringLiteral("tcp://127.0.0.1"), &error));
        QVERIFY2(error.contains(QStringLiteral("target web")) && error.contains(QStringLiteral("port")),
                 qPrintable(error));
        QVERIFY(!error.contains(u'\n'));
        auto *formError = item(QStringLiteral("targetFormError"));
        QTRY_VERIFY(formError->isVisible());
        QCOMPARE(formError->property("text").toString(), error);
        // TLS files must come together.
        item(QStringLiteral("targetCaField"))
            ->setProperty("text", m_data->filePath(QStringLiteral("ca.pem")));
        QVERIFY(!submitForm(QStringLiteral("web"), QStringLiteral("tcp://127.0.0.1:2376"), &error));
        QVERIFY2(error.contains(QStringLiteral("target web")), qPrintable(error));
        item(QStringLiteral("targetCaField"))->setProperty("text", QString());
        QVERIFY(storedTargets().isEmpty());
        QCOMPARE(m_targets->count(), 0);
    }

    // The proxy's image and ports: folded away in a section of the form until asked for,
    // stored through the form, shown again by Edit (and the section open), an emptied port
    // field saved as the default.
    void proxySettingsAreSavedAndEdited()
    {
        QVERIFY(clickItem(m_window, item(QStringLiteral("addTargetButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        auto *imageField = item(QStringLiteral("targetProxyImageField"));
        auto *httpField = item(QStringLiteral("targetProxyHttpPortField"));
        auto *httpsField = item(QStringLiteral("targetProxyHttpsPortField"));
        QVERIFY(imageField && httpField && httpsField);
        QVERIFY(!imageField->isVisible() && !httpField->isVisible() && !httpsField->isVisible());
        QVERIFY(clickItem(m_window, item(QStringLiteral("proxySectionButton"))));
        QTRY_VERIFY(imageField->isVisible() && httpField->isVisible() && httpsField->isVisible());
        imageField->setProperty("text", QStringLiteral("registry.example.org/haproxy:2.8"));
        httpField->setProperty("text", QStringLiteral("8080"));
        httpsField->setProperty("text", QStringLiteral(" 8443 "));
        QString error;
        QVERIFY2(submitForm(gone().first, gone().second, &error), qPrintable(error));
        QTRY_COMPARE(m_targets->count(), 1);
        {
            auto history = History::open(m_historyPath);
            QVERIFY(history);
            auto stored = history.value()->target(QStringLiteral("gone"));
            QVERIFY(stored);
            QCOMPARE(stored->proxyImage, QStringLiteral("registry.example.org/haproxy:2.8"));
            QCOMPARE(stored->proxyHttpPort, 8080);
            QCOMPARE(stored->proxyHttpsPort, 8443);
        }
        const QModelIndex index = m_targets->index(0);
        QCOMPARE(index.data(TargetModel::ProxyImageRole).toString(),
                 QStringLiteral("registry.example.org/haproxy:2.8"));
        QCOMPARE(index.data(TargetModel::ProxyHttpPortRole).toInt(), 8080);
        QCOMPARE(index.data(TargetModel::ProxyHttpsPortRole).toInt(), 8443);

        // Edit: the form shows what is stored, its proxy section open.
        QTRY_VERIFY(!item(QStringLiteral("targetForm"))->isVisible());
        QTRY_VERIFY(row(QStringLiteral("gone")));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QVERIFY(clickItem(m_window, findItem(row(QStringLiteral("gone")), QStringLiteral("editButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        QVERIFY(imageField->isVisible());
        QCOMPARE(imageField->property("text").toString(), QStringLiteral("registry.example.org/haproxy:2.8"));
        QCOMPARE(httpField->property("text").toString(), QStringLiteral("8080"));
        QCOMPARE(httpsField->property("text").toString(), QStringLiteral("8443"));
        // An emptied field is the default again; the image goes back to the pinned one.
        imageField->setProperty("text", QString());
        httpField->setProperty("text", QString());
        httpsField->setProperty("text", QStringLiteral("9443"));
        QVERIFY2(submitForm(gone().first, gone().second, &error), qPrintable(error));
        QTRY_COMPARE(m_targets->index(0).data(TargetModel::ProxyHttpsPortRole).toInt(), 9443);
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyHttpPortRole).toInt(), 0);
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyImageRole).toString(), QString());
        auto history = History::open(m_historyPath);
        QVERIFY(history);
        auto stored = history.value()->target(QStringLiteral("gone"));
        QVERIFY(stored);
        QVERIFY(stored->proxyImage.isEmpty());
        QCOMPARE(stored->proxyHttpPort, 0);
        QCOMPARE(stored->proxyHttpsPort, 9443);

        // A target without proxy settings opens with the section folded.
        QVERIFY2(submitForm(local().first, local().second, &error), qPrintable(error));
        QTRY_COMPARE(m_targets->count(), 2);
        QTRY_VERIFY(!item(QStringLiteral("targetForm"))->isVisible());
        QTRY_VERIFY(row(QStringLiteral("local")));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QVERIFY(clickItem(m_window, findItem(row(QStringLiteral("local")), QStringLiteral("editButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        QVERIFY(!imageField->isVisible());
        QCOMPARE(httpsField->property("text").toString(), QString());
    }

    // A port that is not one, or the two the same: refused inline with one line naming the
    // target, the field and the value; nothing stored.
    void badProxySettingsAreRefusedInline()
    {
        QVERIFY(clickItem(m_window, item(QStringLiteral("addTargetButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        auto *imageField = item(QStringLiteral("targetProxyImageField"));
        auto *httpField = item(QStringLiteral("targetProxyHttpPortField"));
        auto *httpsField = item(QStringLiteral("targetProxyHttpsPortField"));
        struct Case
        {
            QString image, http, https;
            QStringList expected; // each in the one-line message
        };
        const QList<Case> cases = {
            {{},
             QStringLiteral("70000"),
             {},
             {QStringLiteral("target web"), QStringLiteral("Proxy HTTP port"), QStringLiteral("'70000'")}},
            {{},
             {},
             QStringLiteral("0"),
             {QStringLiteral("target web"), QStringLiteral("Proxy HTTPS port"), QStringLiteral("'0'")}},
            {{}, QStringLiteral("http"), {}, {QStringLiteral("Proxy HTTP port"), QStringLiteral("'http'")}},
            {{}, QStringLiteral("443"), {}, {QStringLiteral("target web"), QStringLiteral("both 443")}},
            {{}, QStringLiteral("8000"), QStringLiteral("8000"), {QStringLiteral("both 8000")}},
            {QStringLiteral("Not A/Reference"),
             {},
             {},
             {QStringLiteral("target web"), QStringLiteral("proxy image"),
              QStringLiteral("Not A/Reference")}},
        };
        for (const Case &c : cases) {
            imageField->setProperty("text", c.image);
            httpField->setProperty("text", c.http);
            httpsField->setProperty("text", c.https);
            QString error;
            QVERIFY(!submitForm(QStringLiteral("web"), QStringLiteral("unix:///run/web.sock"), &error));
            for (const QString &part : c.expected)
                QVERIFY2(error.contains(part), qPrintable(error + QStringLiteral(" lacks ") + part));
            QVERIFY(!error.contains(u'\n'));
            QTRY_COMPARE(item(QStringLiteral("targetFormError"))->property("text").toString(), error);
        }
        QVERIFY(storedTargets().isEmpty());
        QCOMPARE(m_targets->count(), 0);
        // The same form with the ports fixed is saved.
        imageField->setProperty("text", QString());
        httpField->setProperty("text", QStringLiteral("8000"));
        httpsField->setProperty("text", QString());
        QString error;
        QVERIFY2(submitForm(QStringLiteral("web"), QStringLiteral("unix:///run/web.sock"), &error),
                 qPrintable(error));
        QCOMPARE(storedTargets(), QStringList{QStringLiteral("web")});
    }

    void passwordIsNeverRepeated()
    {
        QString error;
        QVERIFY(!submitForm(QStringLiteral("web"), QStringLiteral("ssh://deploy:hunter2secret@127.0.0.1"),
                            &error));
        QVERIFY2(error.contains(QStringLiteral("password")), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("hunter2secret")), qPrintable(error));
        QVERIFY(!item(QStringLiteral("targetFormError"))
                     ->property("text")
                     .toString()
                     .contains(QStringLiteral("hunter2secret")));
        QVERIFY(storedTargets().isEmpty());
    }

    void addedTargetAnswersTestConnection_data() { slipway::test::addEngineRows(); }
    void addedTargetAnswersTestConnection()
    {
        QFETCH(QString, engine);
        const slipway::test::EngineService &service =
            engine == u"docker" ? static_cast<const slipway::test::EngineService &>(m_docker) : m_podman;
        QString error;
        QVERIFY2(submitForm(QStringLiteral("local"), service.endpoint(), &error), qPrintable(error));
        QTRY_COMPARE(m_targets->count(), 1);
        QVERIFY(!item(QStringLiteral("targetForm"))->isVisible());
        QCOMPARE(storedTargets(), QStringList{QStringLiteral("local")});

        QTRY_VERIFY(row(QStringLiteral("local")));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QSignalSpy checked(m_targets, &TargetModel::checked);
        QVERIFY(clickItem(m_window, findItem(row(QStringLiteral("local")), QStringLiteral("testButton"))));
        QVERIFY(checked.wait(30000));
        const QModelIndex index = m_targets->index(0);
        const QString check = index.data(TargetModel::CheckRole).toString();
        QVERIFY2(check.startsWith(service.engineName() + u' ') && check.contains(QStringLiteral(", API 1.")),
                 qPrintable(check));
        QVERIFY(index.data(TargetModel::CheckOkRole).toBool());
        QTRY_COMPARE(findItem(row(QStringLiteral("local")), QStringLiteral("checkResult"))
                         ->property("text")
                         .toString(),
                     QStringLiteral("✓ ") + check); // the outcome in a sign as well as a colour
        // The same worker call read the target's proxy: none there yet, on the default ports.
        const QString proxy = QStringLiteral(
            "no proxy yet (made by the first deploy with [deploy.proxy], on ports 80 and 443)");
        QCOMPARE(index.data(TargetModel::ProxyCheckRole).toString(), proxy);
        QVERIFY(index.data(TargetModel::ProxyCheckOkRole).toBool());
        QTRY_COMPARE(findItem(row(QStringLiteral("local")), QStringLiteral("proxyCheckResult"))
                         ->property("text")
                         .toString(),
                     proxy);
        QVERIFY(findVisibleItem(row(QStringLiteral("local")), QStringLiteral("proxyCheckResult")));
        // An engine in no Swarm: no Swarm line, no nodes (a manager's are in tst_swarmtargets).
        QCOMPARE(index.data(TargetModel::SwarmRole).toString(), QString());
        QVERIFY(index.data(TargetModel::SwarmNodesRole).toStringList().isEmpty());
        QVERIFY(!findVisibleItem(row(QStringLiteral("local")), QStringLiteral("swarmResult")));
        QCOMPARE(findItem(row(QStringLiteral("local")), QStringLiteral("currentRelease"))
                     ->property("text")
                     .toString(),
                 QStringLiteral("Slipway runs nothing here yet"));
    }

    void currentReleaseIsShown()
    {
        // Before: "local" added, and its connection tested.
        QVERIFY(added({local()}));
        {
            QSignalSpy checked(m_targets, &TargetModel::checked);
            m_targets->testConnection(m_targets->indexOf(QStringLiteral("local")));
            QVERIFY(checked.wait(30000));
            QVERIFY(m_targets->index(0).data(TargetModel::CheckOkRole).toBool());
        }
        {
            auto history = History::open(m_historyPath);
            QVERIFY(history);
            slipway::ReleaseRecord release;
            release.project = QStringLiteral("hello");
            release.commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
            release.ref = QStringLiteral("main");
            release.image = QStringLiteral("127.0.0.1:5000/hello:main");
            release.digest = QStringLiteral("sha256:feedfacecafe") + QString(52, u'0');
            auto id = history.value()->addRelease(release);
            QVERIFY(id);
            auto deployment = history.value()->startDeployment(id.value(), QStringLiteral("local"));
            QVERIFY(deployment);
            QVERIFY(history.value()->finishDeployment(
                deployment.value(), slipway::DeploymentResult::Succeeded, {}, QStringLiteral("ok")));
        }
        QSignalSpy refreshed(m_targets, &TargetModel::refreshed);
        m_targets->refresh();
        QVERIFY(refreshed.wait(20000));
        const QModelIndex index = m_targets->index(0);
        QVERIFY(index.data(TargetModel::CurrentDigestRole)
                    .toString()
                    .startsWith(QStringLiteral("sha256:feedface")));
        // The connection test survives a refresh, the proxy's line with it: not in the database.
        QVERIFY(index.data(TargetModel::CheckOkRole).toBool());
        QVERIFY2(
            index.data(TargetModel::ProxyCheckRole).toString().startsWith(QStringLiteral("no proxy yet")),
            qPrintable(index.data(TargetModel::ProxyCheckRole).toString()));
        QTRY_VERIFY(row(QStringLiteral("local")));
        const QString text = findItem(row(QStringLiteral("local")), QStringLiteral("currentRelease"))
                                 ->property("text")
                                 .toString();
        QVERIFY2(text.contains(QStringLiteral("feedfacecafe")) && text.contains(QStringLiteral("0123456")),
                 qPrintable(text));
    }

    void deadEngineFailsWithOneLine()
    {
        QVERIFY(added({local()}));
        QString error;
        const QString socket = m_data->filePath(QStringLiteral("nothing-here.sock"));
        QVERIFY2(submitForm(QStringLiteral("gone"), QStringLiteral("unix://") + socket, &error),
                 qPrintable(error));
        QTRY_COMPARE(m_targets->count(), 2);
        const int row = m_targets->indexOf(QStringLiteral("gone"));
        QVERIFY(row >= 0);
        QSignalSpy checked(m_targets, &TargetModel::checked);
        m_targets->testConnection(row);
        QVERIFY(checked.wait(30000));
        const QModelIndex index = m_targets->index(m_targets->indexOf(QStringLiteral("gone")));
        const QString check = index.data(TargetModel::CheckRole).toString();
        QVERIFY(!index.data(TargetModel::CheckOkRole).toBool());
        QVERIFY2(check.contains(QStringLiteral("gone")) && !check.contains(u'\n'), qPrintable(check));
        // No engine, no proxy line: the row reads as before.
        QCOMPARE(index.data(TargetModel::ProxyCheckRole).toString(), QString());
        QTRY_VERIFY(findVisibleItem(m_window->contentItem(), QStringLiteral("target_gone")));
        QVERIFY(!findVisibleItem(findVisibleItem(m_window->contentItem(), QStringLiteral("target_gone")),
                                 QStringLiteral("proxyCheckResult")));
    }

    // Upgrade proxy on a real proxy: the question names the target and the image and says its
    // apps do not answer for a second or two; Cancel runs nothing. With no proxy there, it makes
    // one. Once the target asks for another image than its proxy runs (Test connection says
    // "upgrade it"), it makes the proxy again from the new image with its route, and the proxy
    // line says so; a second time there is nothing to do.
    void upgradeProxyMakesTheProxyAgain()
    {
        const QString older = QStringLiteral("localhost/slipway-test/haproxy:2.6");
        const QString newer = QStringLiteral("localhost/slipway-test/haproxy:newer");
        QString error;
        QVERIFY2(m_podman.importHaproxy(older, &error), qPrintable(error));
        QVERIFY2(m_podman.importHaproxy(newer, &error), qPrintable(error));
        m_proxyMade = true;
        removeProxy();
        const quint16 http = freeLoopbackPort();
        const quint16 https = freeLoopbackPort();
        QVERIFY(http != https);
        const QString ports = QStringLiteral("proxy on ports %1 and %2").arg(http).arg(https);

        // "local" asks for the older image, on free ports, through the form.
        QVERIFY(clickItem(m_window, item(QStringLiteral("addTargetButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        item(QStringLiteral("targetProxyImageField"))->setProperty("text", older);
        item(QStringLiteral("targetProxyHttpPortField"))->setProperty("text", QString::number(http));
        item(QStringLiteral("targetProxyHttpsPortField"))->setProperty("text", QString::number(https));
        QVERIFY2(submitForm(local().first, local().second, &error), qPrintable(error));
        QTRY_COMPARE(m_targets->count(), 1);
        QTRY_VERIFY(!item(QStringLiteral("targetForm"))->isVisible());
        const QString name = local().first;
        const auto shown = [&](const char *label) {
            QQuickItem *target = row(name);
            QQuickItem *found = target ? findVisibleItem(target, QString::fromLatin1(label)) : nullptr;
            return found ? found->property("text").toString() : QString();
        };

        // The button is named for a screen reader; Cancel runs nothing.
        QTRY_VERIFY(row(name));
        QQuickItem *button = findItem(row(name), QStringLiteral("upgradeProxyButton"));
        QVERIFY(button && button->isVisible() && button->isEnabled());
        QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(button);
        QVERIFY(accessible);
        QCOMPARE(accessible->text(QAccessible::Name), QStringLiteral("Upgrade the proxy of local"));
        QString question, message;
        QVERIFY(upgradeFromRow(name, false, &question, &message));
        QVERIFY2(question.contains(QStringLiteral("local")) && question.contains(older) &&
                     question.contains(QStringLiteral("do not answer for a second or two")),
                 qPrintable(question));
        QTest::qWait(200);
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyUpgradeRole).toString(), QString());
        QCOMPARE(shown("proxyUpgradeResult"), QString());

        // No proxy yet: Upgrade makes one.
        QVERIFY2(upgradeFromRow(name, true, &question, &message), qPrintable(message));
        QCOMPARE(message, QStringLiteral("the proxy runs %1").arg(older));
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyUpgradeRole).toString(), message);
        QVERIFY(m_targets->index(0).data(TargetModel::ProxyUpgradeOkRole).toBool());
        QTRY_COMPARE(shown("proxyUpgradeResult"), QStringLiteral("✓ ") + message);
        QTRY_COMPARE(shown("proxyCheckResult"), ports + QStringLiteral(": no apps"));

        // A route on it (what a deploy with [deploy.proxy] leaves), then the target asks for the
        // newer image: Test connection says the proxy is to be upgraded.
        {
            auto history = History::open(m_historyPath);
            QVERIFY(history);
            auto stored = history.value()->target(name);
            QVERIFY(stored);
            slipway::EngineClient client(stored.value());
            QVERIFY(client.connect());
            slipway::TargetProxy proxy(client, stored.value(), [](const QString &) {}, {});
            const slipway::Status ensured = proxy.ensure();
            QVERIFY2(ensured, qPrintable(ensured ? QString() : ensured.error().message));
            QCOMPARE(proxy.runningImage(), older);
            slipway::ProxySpec spec;
            spec.hosts = {QStringLiteral("web.test")};
            spec.port = 8000;
            const auto switched =
                proxy.switchTo(QStringLiteral("web"), spec, QStringLiteral("10.88.200.2:8000"), {});
            QVERIFY2(switched, qPrintable(switched ? QString() : switched.error().message));
        }
        QVERIFY(clickItem(m_window, findItem(row(name), QStringLiteral("editButton"))));
        QTRY_VERIFY(item(QStringLiteral("targetForm"))->isVisible());
        QCOMPARE(item(QStringLiteral("targetProxyImageField"))->property("text").toString(), older);
        item(QStringLiteral("targetProxyImageField"))->setProperty("text", newer);
        QVERIFY2(submitForm(local().first, local().second, &error), qPrintable(error));
        QTRY_COMPARE(m_targets->index(0).data(TargetModel::ProxyImageRole).toString(), newer);
        QTRY_VERIFY(!item(QStringLiteral("targetForm"))->isVisible());
        {
            QSignalSpy checked(m_targets, &TargetModel::checked);
            QTRY_VERIFY(row(name));
            QVERIFY(QQuickTest::qWaitForPolish(m_window));
            QVERIFY(clickItem(m_window, findItem(row(name), QStringLiteral("testButton"))));
            QVERIFY(checked.wait(30000));
        }
        const QString outdated =
            ports + QStringLiteral(", runs %1 where the target asks for %2 (upgrade it): "
                                   "web (web.test)")
                        .arg(older, newer);
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyCheckRole).toString(), outdated);
        QTRY_COMPARE(shown("proxyCheckResult"), outdated);
        QCOMPARE(shown("proxyUpgradeResult"), QString()); // the test's line replaces the upgrade's

        // Upgrade: the proxy is made again from the newer image, with its route.
        QVERIFY2(upgradeFromRow(name, true, &question, &message), qPrintable(message));
        QVERIFY2(question.contains(newer), qPrintable(question));
        const QString summary =
            QStringLiteral("the proxy runs %1 (was %2), with 1 route(s)").arg(newer, older);
        QCOMPARE(message, summary);
        QTRY_COMPARE(shown("proxyUpgradeResult"), QStringLiteral("✓ ") + summary);
        const QString upgraded = ports + QStringLiteral(": web (web.test)");
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyCheckRole).toString(), upgraded);
        QVERIFY(m_targets->index(0).data(TargetModel::ProxyCheckOkRole).toBool());
        QTRY_COMPARE(shown("proxyCheckResult"), upgraded);
        QVERIFY(!shown("proxyCheckResult").contains(QStringLiteral("upgrade it")));
        {
            auto history = History::open(m_historyPath);
            QVERIFY(history);
            auto target = history.value()->target(name);
            QVERIFY(target);
            auto status = slipway::inspectProxy(target.value());
            QVERIFY(status);
            QVERIFY(status->running);
            QCOMPARE(status->runningImage, newer);
        }
        // A refresh keeps both lines: they are not in the database.
        QSignalSpy refreshed(m_targets, &TargetModel::refreshed);
        m_targets->refresh();
        QVERIFY(refreshed.wait(20000));
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyUpgradeRole).toString(), summary);
        QCOMPARE(m_targets->index(0).data(TargetModel::ProxyCheckRole).toString(), upgraded);

        // Again: nothing to do.
        QVERIFY2(upgradeFromRow(name, true, &question, &message), qPrintable(message));
        QCOMPARE(message, QStringLiteral("the proxy runs %1 already").arg(newer));
        QTRY_COMPARE(shown("proxyUpgradeResult"), QStringLiteral("✓ ") + message);
    }

    void duplicateNameIsRefused()
    {
        QVERIFY(added({local(), gone()}));
        QString error;
        QVERIFY(!submitForm(QStringLiteral("local"), m_podman.endpoint(), &error));
        QVERIFY2(error.contains(QStringLiteral("local")), qPrintable(error));
        QCOMPARE(m_targets->count(), 2);
    }

    void removeAsksFirst()
    {
        QVERIFY(added({local(), gone()}));
        QTRY_VERIFY(row(QStringLiteral("gone")));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QVERIFY(clickItem(m_window, findItem(row(QStringLiteral("gone")), QStringLiteral("removeButton"))));
        auto *dialog =
            item(QStringLiteral("targetsPage"))->findChild<QObject *>(QStringLiteral("confirmRemove"));
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QCOMPARE(m_targets->count(), 2); // nothing removed before the answer
        QSignalSpy removed(m_targets, &TargetModel::removed);
        QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
        QVERIFY(removed.wait(20000));
        QVERIFY(removed.constFirst().constFirst().toBool());
        QTRY_COMPARE(m_targets->count(), 1);
        QCOMPARE(storedTargets(), QStringList{QStringLiteral("local")});
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }

    void cleanup()
    {
        m_engine.reset();
        m_window = nullptr;
        m_tester.reset();
        m_console.reset();
        if (std::exchange(m_proxyMade, false))
            removeProxy();
    }
};

QTEST_MAIN(TestTargetsPage)
#include "tst_targetspage.moc"
