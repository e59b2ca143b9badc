// A newcomer's first five minutes, in the window: the first launch finds the local engine (a real
// Docker Engine of the harness) and offers the sample; Deploy on it builds the sample on Docker
// Hub's busybox (from a registry mirror, as a machine behind a proxy is set up), rolls it out, and
// the page links to the address where the sample's site answers.
//
// The sample pins its base by digest on Docker Hub, which these machines cannot reach and whose
// bytes the harness does not have: the copy under test names the same image by tag, and a
// registries.conf mirror on loopback serves the harness's busybox under that name.

#include "uitestutil.h"
#include "windowtestutil.h"

#include "console.h"
#include "dockerservice.h"
#include "httpprobe.h"
#include "registryserver.h"
#include "testfiles.h"

#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;

class TestFirstDeploy final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DockerService> m_docker;
    RegistryServer m_registry;
    std::unique_ptr<Console> m_console;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;

    // resources/sample as it ships, its base named by tag instead of digest.
    QString sampleCopy()
    {
        const QString sample = m_dir.filePath(QStringLiteral("sample"));
        const QString source = QStringLiteral(SLIPWAY_SOURCE_DIR "/resources/sample");
        for (const QString &file : {QStringLiteral("/slipway.toml"), QStringLiteral("/README.md"),
                                    QStringLiteral("/site/index.html"), QStringLiteral("/site/style.css")}) {
            QFile in(source + file);
            if (!in.open(QIODevice::ReadOnly))
                return {};
            QByteArray bytes = in.readAll();
            if (file == u"/slipway.toml") {
                const qsizetype at = bytes.indexOf("@sha256:");
                if (at < 0)
                    return {};
                bytes.remove(at, 8 + 64);
            }
            if (!writeFile(sample + file, bytes))
                return {};
        }
        return sample;
    }

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        QVERIFY(m_dir.isValid());
        m_docker = std::make_unique<DockerService>();
        QVERIFY2(m_docker->start(), qPrintable(m_docker->errorString()));
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        QString error;
        QVERIFY2(m_docker->importBusybox(QStringLiteral("busybox-hub:1"), &error), qPrintable(error));
        const QString mirrored = m_registry.address() + QStringLiteral("/library/busybox:1.36.1");
        QString output;
        QVERIFY2(m_docker->docker({QStringLiteral("tag"), QStringLiteral("busybox-hub:1"), mirrored},
                                  &output) == 0,
                 qPrintable(output));
        QVERIFY2(m_docker->docker({QStringLiteral("push"), mirrored}, &output) == 0, qPrintable(output));
        const QString conf = m_dir.filePath(QStringLiteral("registries.conf"));
        QVERIFY(writeFile(conf, QStringLiteral("[[registry]]\nlocation = \"docker.io\"\n"
                                               "[[registry.mirror]]\nlocation = \"%1\"\n")
                                    .arg(m_registry.address())
                                    .toUtf8()));
        qputenv("CONTAINERS_REGISTRIES_CONF", conf.toUtf8());
        qputenv("SLIPWAY_DOCKER_DAEMON_JSON", m_dir.filePath(QStringLiteral("none.json")).toUtf8());
    }

    void sampleDeploysOnTheFirstClick()
    {
        const QString sample = sampleCopy();
        QVERIFY(!sample.isEmpty());
        // What main() does on a newcomer's launch, with the harness's engine as the local socket.
        m_console = std::make_unique<Console>(m_dir.filePath(QStringLiteral("data")), sample);
        QVERIFY(m_console->projects.isFirstLaunch());
        m_console->deploy.setProject(m_console->projects.locationAt(0));
        QCOMPARE(m_console->deploy.project(), sample);
        QSignalSpy checked(&m_console->targets, &TargetModel::localTargetChecked);
        QVERIFY(m_console->targets.addLocalTargetOnFirstLaunch(true, {m_docker->socketPath()}));
        QVERIFY(checked.wait(30000));
        QCOMPARE(checked.constFirst().constFirst().toString(), m_docker->endpoint());
        QVERIFY(loadWindow(*m_console, m_engine, m_warnings, m_window));
        m_console->navigation.showPage(QStringLiteral("Deploy"));
        // The one target is picked for the newcomer: Deploy is ready.
        QTRY_COMPARE_WITH_TIMEOUT(m_console->deploy.targets(), QStringList{QStringLiteral("local")}, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(m_console->deploy.canDeploy(), 20000);
        QVERIFY(QQuickTest::qWaitForPolish(m_window));

        QSignalSpy finished(&m_console->deploy, &DeployController::finished);
        QVERIFY(clickItem(m_window, findItem(m_window->contentItem(), QStringLiteral("deployButton"))));
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.constFirst().constFirst().toBool(), qPrintable(m_console->deploy.error()));

        // The page links to where the sample answers, and it does.
        const QString address = QStringLiteral("http://127.0.0.1:8080/");
        QTRY_VERIFY(findVisibleItem(m_window->contentItem(), QStringLiteral("appAddress_local")));
        const QString link = findVisibleItem(m_window->contentItem(), QStringLiteral("appAddress_local"))
                                 ->property("text")
                                 .toString();
        QVERIFY2(link.contains(address), qPrintable(link));
        const auto page = httpRequest({address});
        QCOMPARE(page.status, 200);
        QVERIFY2(page.body.contains("Deployed with Slipway"), page.body.constData());
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }

    void cleanupTestCase()
    {
        m_engine.reset();
        m_window = nullptr;
        m_console.reset();
        if (m_docker) {
            QString error;
            m_docker->reset(QString(), &error);
        }
    }
};

QTEST_MAIN(TestFirstDeploy)
#include "tst_firstdeploy.moc"
