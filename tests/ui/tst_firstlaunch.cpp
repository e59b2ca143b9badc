// A newcomer's first launch: with a local engine socket that answers (a real Podman service), a
// target "local" for it lands in the history database; never on a later launch, never beside a
// target the user has, and not at all when no socket answers.

#include "uitestutil.h"

#include "history/history.h"
#include "models/projectmodel.h"
#include "models/targetmodel.h"
#include "podmanservice.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

using namespace slipway::test;
using slipway::History;

namespace {

// A socket file nobody listens on, as a crashed engine leaves behind: connecting is refused.
bool makeDeadSocket(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray bytes = path.toLocal8Bit();
    std::strncpy(address.sun_path, bytes.constData(), sizeof(address.sun_path) - 1);
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0;
    ::close(fd);
    return bound;
}

} // namespace

class TestFirstLaunch final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    PodmanService m_podman;
    int m_run = 0;

    QString freshHistoryPath() { return m_dir.filePath(QStringLiteral("data%1/history.db").arg(++m_run)); }

    static QList<slipway::Target> storedTargets(const QString &historyPath)
    {
        if (!QFileInfo::exists(historyPath))
            return {};
        auto history = History::open(historyPath);
        if (!history)
            return {};
        auto targets = history.value()->targets();
        return targets ? targets.value() : QList<slipway::Target>{};
    }

    // Runs the first-launch check and waits for its answer: the endpoint added, or empty.
    static QString check(TargetModel &model, bool newcomer, const QStringList &sockets, bool *started)
    {
        QSignalSpy answered(&model, &TargetModel::localTargetChecked);
        *started = model.addLocalTargetOnFirstLaunch(newcomer, sockets);
        if (!*started || !answered.wait(30000))
            return {};
        return answered.constFirst().at(0).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        // A settings file of its own: other test programs running at the same time clear theirs,
        // and the "done once" mark must survive between the launches this test makes.
        QCoreApplication::setApplicationName(QStringLiteral("SlipwayTestFirstLaunch"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
        QVERIFY(makeDeadSocket(m_dir.filePath(QStringLiteral("dead.sock"))));
    }
    void init() { QSettings().clear(); }

    void defaultCandidates()
    {
        const QStringList sockets = TargetModel::localEngineSockets();
        QVERIFY(sockets.contains(QStringLiteral("/run/podman/podman.sock")));
        QVERIFY(sockets.contains(QStringLiteral("/var/run/docker.sock")));
        if (!qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR"))
            QCOMPARE(sockets.constFirst(),
                     qEnvironmentVariable("XDG_RUNTIME_DIR") + QStringLiteral("/podman/podman.sock"));
    }

    void firstLaunchAddsTheLocalEngineOnce()
    {
        const QString historyPath = freshHistoryPath();
        // The newcomer condition is ProjectModel's: no project remembered.
        ProjectModel projects(m_dir.filePath(QStringLiteral("cache")), QString());
        QVERIFY(projects.isFirstLaunch());
        const QStringList sockets{m_dir.filePath(QStringLiteral("missing.sock")),
                                  m_dir.filePath(QStringLiteral("dead.sock")), m_podman.socketPath()};
        {
            TargetModel model(historyPath);
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            bool started = false;
            const QString added = check(model, projects.isFirstLaunch(), sockets, &started);
            QVERIFY(started);
            // The first socket that answers, past the missing and the dead one.
            QCOMPARE(added, m_podman.endpoint());
            const QList<slipway::Target> stored = storedTargets(historyPath);
            QCOMPARE(stored.size(), 1);
            QCOMPARE(stored.constFirst().name, QStringLiteral("local"));
            QCOMPARE(stored.constFirst().endpoint, QStringLiteral("unix://") + m_podman.socketPath());
            // The page shows it.
            QTRY_COMPARE(model.count(), 1);
            QCOMPARE(model.data(model.index(0), TargetModel::EndpointRole).toString(), m_podman.endpoint());
        }
        // A later launch, even one ProjectModel still takes for a first (no project was added),
        // and even after the user removed the target: nothing is added again.
        {
            auto history = History::open(historyPath);
            QVERIFY(history);
            QVERIFY(history.value()->removeTarget(QStringLiteral("local")));
        }
        TargetModel again(historyPath);
        bool started = true;
        QVERIFY(check(again, true, sockets, &started).isEmpty());
        QVERIFY(!started);
        QVERIFY(storedTargets(historyPath).isEmpty());
    }

    void notForAUserWithATargetOrProjects()
    {
        const QString historyPath = freshHistoryPath();
        QDir().mkpath(QFileInfo(historyPath).path());
        {
            auto history = History::open(historyPath);
            QVERIFY(history);
            slipway::Target mine;
            mine.name = QStringLiteral("mine");
            mine.endpoint = QStringLiteral("tcp://127.0.0.1:1");
            QVERIFY(history.value()->addTarget(mine));
        }
        TargetModel model(historyPath);
        bool started = false;
        QVERIFY(check(model, true, {m_podman.socketPath()}, &started).isEmpty());
        QVERIFY(started);
        const QList<slipway::Target> stored = storedTargets(historyPath);
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored.constFirst().name, QStringLiteral("mine"));

        // Someone who has used Slipway (a project remembered) is no newcomer.
        QSettings().clear();
        const QString folder = m_dir.filePath(QStringLiteral("project"));
        QDir().mkpath(folder);
        {
            ProjectModel projects(m_dir.filePath(QStringLiteral("cache")), QString());
            QVERIFY(projects.add(folder));
        }
        ProjectModel projects(m_dir.filePath(QStringLiteral("cache")), QString());
        QVERIFY(!projects.isFirstLaunch());
        const QString other = freshHistoryPath();
        TargetModel fresh(other);
        QVERIFY(check(fresh, projects.isFirstLaunch(), {m_podman.socketPath()}, &started).isEmpty());
        QVERIFY(!started);
        QVERIFY(!QFileInfo::exists(other));
    }

    void nothingWhenNoSocketAnswers()
    {
        const QString historyPath = freshHistoryPath();
        TargetModel model(historyPath);
        bool started = false;
        const QString added = check(model, true,
                                    {m_dir.filePath(QStringLiteral("missing.sock")),
                                     m_dir.filePath(QStringLiteral("dead.sock")), m_dir.path()},
                                    &started);
        QVERIFY(started);
        QVERIFY(added.isEmpty());
        QVERIFY(storedTargets(historyPath).isEmpty());
        QVERIFY(!QFileInfo::exists(historyPath)); // not even an empty database
        // And the engine that starts answering later is not added on a later launch.
        TargetModel later(historyPath);
        QVERIFY(check(later, true, {m_podman.socketPath()}, &started).isEmpty());
        QVERIFY(!started);
        QVERIFY(storedTargets(historyPath).isEmpty());
    }
};

QTEST_MAIN(TestFirstLaunch)
#include "tst_firstlaunch.moc"
