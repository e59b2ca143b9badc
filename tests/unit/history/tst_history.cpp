#include "history/history.h"
#include "historytestutil.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace slipway;
using slipway::test::RawDb;

namespace {

// QVERIFY2 evaluates its message even when the check passes.
template<typename T>
QString errorText(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

QString digest(char c)
{
    return QStringLiteral("sha256:") + QString(64, QLatin1Char(c));
}

ReleaseRecord makeRelease(const QString &project, char digestChar, const QString &commit = QString())
{
    ReleaseRecord release;
    release.project = project;
    release.commit = commit.isEmpty() ? QString(40, QLatin1Char(digestChar)) : commit;
    release.ref = QStringLiteral("main");
    release.image = QStringLiteral("127.0.0.1:5000/") + project + QStringLiteral(":main");
    release.digest = digest(digestChar);
    release.buildMs = 1234;
    return release;
}

Target makeTarget(const QString &name)
{
    Target target;
    target.name = name;
    target.endpoint = QStringLiteral("unix:///run/") + name + QStringLiteral(".sock");
    return target;
}

} // namespace

class TestHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void opensWithPragmas();
    void targetsCrud();
    void projects();
    void projectOfSource();
    void releasesRoundTrip();
    void deploymentLifecycle();
    void deploymentFilters();
    void currentRelease();
    void operationsRoundTrip();
    void liveDeploymentNotInterrupted();
    void killedWriterLeavesInterruptedDeployment();
    void processesMigrateAndWriteTogether();
    void emptyFileIsMigrated();
    void versionOneIsMigrated();
    void versionTwoIsMigrated();
    void versionThreeIsMigrated();
    void versionSevenIsMigrated();
    void versionEightIsMigrated();
    void newerVersionIsRefused();
    void corruptFileIsRefused();
    void unusableDirectory();
    void readerWhileWriterHoldsTransaction();
    void workerThreadOpensItsOwn();

private:
    std::unique_ptr<History> openHistory();
    qint64 deploy(History &history, qint64 release, const QString &target, DeploymentResult result);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestHistory::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(QStringLiteral("data/history.sqlite"));
}

void TestHistory::cleanup()
{
    m_dir.reset();
}

std::unique_ptr<History> TestHistory::openHistory()
{
    Result<std::unique_ptr<History>> history = History::open(m_path);
    if (!history) {
        qWarning() << history.error().message;
        return nullptr;
    }
    return std::move(history).value();
}

qint64 TestHistory::deploy(History &history, qint64 release, const QString &target, DeploymentResult result)
{
    Result<qint64> id = history.startDeployment(release, target);
    if (!id)
        return 0;
    if (!history.finishDeployment(*id, result, QString(), QStringLiteral("log of %1").arg(*id)))
        return 0;
    return *id;
}

void TestHistory::opensWithPragmas()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    QCOMPARE(history->path(), m_path);
    QCOMPARE(History::defaultPath(m_dir->path()), m_dir->filePath(QStringLiteral("history.sqlite")));
    QVERIFY(history->checkIntegrity().ok());
    RawDb raw(m_path);
    QVERIFY(raw.isOpen());
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
}

void TestHistory::targetsCrud()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    Target web = makeTarget(QStringLiteral("web"));
    web.tlsCa = QStringLiteral("/etc/ca.pem");
    web.proxyImage = QStringLiteral("registry.example.org/haproxy:2.8");
    web.proxyHttpPort = 8080;
    web.proxyHttpsPort = 8443;
    const Status addedWeb = history->addTarget(web);
    QVERIFY2(addedWeb.ok(), qPrintable(errorText(addedWeb)));
    QVERIFY(history->addTarget(makeTarget(QStringLiteral("api"))).ok());

    const Status duplicate = history->addTarget(makeTarget(QStringLiteral("web")));
    QVERIFY(!duplicate);
    QCOMPARE(duplicate.error().kind, Error::Kind::BadInput);
    QVERIFY2(duplicate.error().message.contains(m_path), qPrintable(duplicate.error().message));
    QVERIFY2(duplicate.error().message.contains(u"\"web\" already exists"),
             qPrintable(duplicate.error().message));

    Result<QList<Target>> list = history->targets();
    QVERIFY2(list.ok(), qPrintable(errorText(list)));
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).name, QStringLiteral("api")); // sorted by name
    QCOMPARE(list->at(1).endpoint, web.endpoint);
    QCOMPARE(list->at(1).tlsCa, web.tlsCa); // and the duplicate did not overwrite it
    QCOMPARE(list->at(1).proxyImage, web.proxyImage);
    QCOMPARE(list->at(1).proxyHttpPort, 8080);
    QCOMPARE(list->at(1).proxyHttpsPort, 8443);
    // A target that sets no proxy reads back the defaults: no image, ports 0.
    QCOMPARE(list->at(0).proxyImage, QString());
    QVERIFY(!list->at(0).proxyImage.isNull());
    QCOMPARE(list->at(0).proxyHttpPort, 0);
    QCOMPARE(list->at(0).proxyHttpsPort, 0);

    web.endpoint = QStringLiteral("tcp://10.0.0.1:2376");
    web.tlsCert = QStringLiteral("/etc/cert.pem");
    web.proxyImage.clear(); // back to the default image, a port of its own for HTTP only
    web.proxyHttpPort = 8081;
    web.proxyHttpsPort = 0;
    QVERIFY(history->updateTarget(web).ok());
    Result<Target> read = history->target(QStringLiteral("web"));
    QVERIFY2(read.ok(), qPrintable(errorText(read)));
    QCOMPARE(read->endpoint, web.endpoint);
    QCOMPARE(read->tlsCert, web.tlsCert);
    QCOMPARE(read->proxyImage, QString());
    QCOMPARE(read->proxyHttpPort, 8081);
    QCOMPARE(read->proxyHttpsPort, 0);
    // The other target was not touched by the update.
    Result<Target> api = history->target(QStringLiteral("api"));
    QVERIFY2(api.ok(), qPrintable(errorText(api)));
    QCOMPARE(api->proxyHttpPort, 0);

    const Status unknownUpdate = history->updateTarget(makeTarget(QStringLiteral("nope")));
    QVERIFY(!unknownUpdate);
    QCOMPARE(unknownUpdate.error().kind, Error::Kind::BadInput);
    QVERIFY(unknownUpdate.error().message.contains(u"no target \"nope\""));

    QVERIFY(history->removeTarget(QStringLiteral("web")).ok());
    const Status removedAgain = history->removeTarget(QStringLiteral("web"));
    QVERIFY(!removedAgain);
    QVERIFY(removedAgain.error().message.contains(u"no target \"web\""));
    Result<Target> gone = history->target(QStringLiteral("web"));
    QVERIFY(!gone);
    QCOMPARE(gone.error().kind, Error::Kind::BadInput);
    QVERIFY(gone.error().message.startsWith(m_path));
    QCOMPARE(history->targets()->size(), 1);
}

void TestHistory::projects()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    Result<ProjectRecord> first =
        history->ensureProject(QStringLiteral("hello"), QStringLiteral("/src/hello"));
    QVERIFY2(first.ok(), qPrintable(errorText(first)));
    QCOMPARE(first->source, QStringLiteral("/src/hello"));
    // The same project again: same id; an empty source keeps the known one, a new one replaces it.
    Result<ProjectRecord> again = history->ensureProject(QStringLiteral("hello"), QString());
    QCOMPARE(again->id, first->id);
    QCOMPARE(again->source, QStringLiteral("/src/hello"));
    Result<ProjectRecord> moved =
        history->ensureProject(QStringLiteral("hello"), QStringLiteral("https://example.org/hello.git"));
    QCOMPARE(moved->id, first->id);
    QCOMPARE(moved->source, QStringLiteral("https://example.org/hello.git"));
    QVERIFY(history->ensureProject(QStringLiteral("another"), QString()).ok());
    QCOMPARE(history->projects()->size(), 2);
    QVERIFY(!history->ensureProject(QString(), QString()));
}

// A project per repository: the same source is the same project; another source of the same name
// gets the name with its own suffix; a project recorded without a source goes to the first
// source that comes with its name.
void TestHistory::projectOfSource()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    const QString a = QStringLiteral("example.org/team-a/api");
    const QString b = QStringLiteral("example.org/team-b/api");
    Result<ProjectRecord> first = history->projectOfSource(QStringLiteral("api"), a);
    QVERIFY2(first.ok(), qPrintable(errorText(first)));
    QCOMPARE(first->name, QStringLiteral("api"));
    QCOMPARE(first->source, a);
    Result<ProjectRecord> other = history->projectOfSource(QStringLiteral("api"), b);
    QVERIFY2(other.ok(), qPrintable(errorText(other)));
    QVERIFY(other->id != first->id);
    QCOMPARE(other->name,
             QStringLiteral("api-") +
                 QString::fromLatin1(
                     QCryptographicHash::hash(b.toUtf8(), QCryptographicHash::Sha256).toHex().left(6)));
    const Result<ProjectRecord> firstAgain = history->projectOfSource(QStringLiteral("api"), a);
    const Result<ProjectRecord> otherAgain = history->projectOfSource(QStringLiteral("api"), b);
    QVERIFY(firstAgain.ok() && otherAgain.ok());
    QCOMPARE(firstAgain->id, first->id);
    QCOMPARE(otherAgain->id, other->id);

    // Recorded before sources were (addRelease makes a project without one): claimed.
    ReleaseRecord old;
    old.project = QStringLiteral("web");
    old.digest = QStringLiteral("sha256:") + QString(64, u'a');
    QVERIFY(history->addRelease(old).ok());
    Result<ProjectRecord> claimed =
        history->projectOfSource(QStringLiteral("web"), QStringLiteral("/src/web"));
    QVERIFY2(claimed.ok(), qPrintable(errorText(claimed)));
    QCOMPARE(claimed->name, QStringLiteral("web"));
    QCOMPARE(claimed->source, QStringLiteral("/src/web"));
    QCOMPARE(history->projects()->size(), 3);
    QVERIFY(!history->projectOfSource(QStringLiteral("x"), QString()).ok());
}

void TestHistory::releasesRoundTrip()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    ReleaseRecord release = makeRelease(QStringLiteral("hello"), 'a');
    release.layers = {{QStringLiteral("deps"), digest('1'), 1000}, {QStringLiteral("app"), digest('2'), 20}};
    release.deploySettings = QStringLiteral("{\"app\":\"hello\",\"ports\":[\"8080:80\"]}");
    release.message = QString::fromUtf8("Caf\xc3\xa9: serve the menu \xf0\x9f\x98\x80");
    Result<qint64> id = history->addRelease(release);
    QVERIFY2(id.ok(), qPrintable(errorText(id)));
    Result<qint64> second = history->addRelease(makeRelease(QStringLiteral("hello"), 'b'));
    QVERIFY(second.ok());
    QVERIFY(history->addRelease(makeRelease(QStringLiteral("other"), 'c')).ok());

    Result<ReleaseRecord> read = history->release(*id);
    QVERIFY2(read.ok(), qPrintable(errorText(read)));
    QCOMPARE(read->id, *id);
    QCOMPARE(read->project, release.project);
    QCOMPARE(read->commit, release.commit);
    QCOMPARE(read->ref, release.ref);
    QCOMPARE(read->image, release.image);
    QCOMPARE(read->digest, release.digest);
    QCOMPARE(read->buildMs, release.buildMs);
    QCOMPARE(read->deploySettings, release.deploySettings);
    QCOMPARE(read->message, release.message);
    QVERIFY(read->created.isValid());
    QCOMPARE(read->layers.size(), 2);
    QCOMPARE(read->layers.at(0).name, QStringLiteral("deps"));
    QCOMPARE(read->layers.at(0).size, 1000);
    QCOMPARE(read->layers.at(1).digest, digest('2'));

    Result<QList<ReleaseRecord>> list = history->releases(QStringLiteral("hello"));
    QVERIFY(list.ok());
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(0).id, *second); // newest first
    QCOMPARE(list->at(1).layers.size(), 2);
    QCOMPARE(list->at(1).deploySettings, release.deploySettings);
    QVERIFY(list->at(0).deploySettings.isEmpty()); // recorded without settings
    QCOMPARE(list->at(1).message, release.message);
    QVERIFY(list->at(0).message.isEmpty()); // and without a message (a directory source)
    QVERIFY(!list->at(0).message.isNull());
    QVERIFY(history->releases(QStringLiteral("nobody"))->isEmpty());

    Result<ReleaseRecord> unknown = history->release(9999);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().kind, Error::Kind::BadInput);
    QVERIFY(unknown.error().message.contains(u"no release 9999"));
    QVERIFY(!history->addRelease(ReleaseRecord{}));
}

void TestHistory::deploymentLifecycle()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    ReleaseRecord record = makeRelease(QStringLiteral("hello"), 'a');
    record.message = QStringLiteral("Serve /healthz");
    Result<qint64> release = history->addRelease(record);
    QVERIFY(release.ok());
    Result<qint64> id = history->startDeployment(*release, QStringLiteral("web"));
    QVERIFY2(id.ok(), qPrintable(errorText(id)));

    Result<DeploymentRecord> running = history->deployment(*id);
    QVERIFY(running.ok());
    QCOMPARE(running->result, DeploymentResult::Running);
    QVERIFY(running->started.isValid());
    QVERIFY(!running->finished.isValid());
    QCOMPARE(running->project, QStringLiteral("hello"));
    QCOMPARE(running->digest, digest('a'));
    // The release's message comes along, in deployment() and in deployments().
    QCOMPARE(running->message, record.message);
    QCOMPARE(history->deployments()->constFirst().message, record.message);

    QVERIFY(history->appendDeploymentLog(*id, QStringLiteral("pulling\n")).ok());
    QVERIFY(history->appendDeploymentLog(*id, QStringLiteral("starting\n")).ok());
    QCOMPARE(history->deployment(*id)->log, QStringLiteral("pulling\nstarting\n"));

    QVERIFY(history
                ->finishDeployment(*id, DeploymentResult::Failed, QStringLiteral("health check failed"),
                                   QStringLiteral("the whole log\n"))
                .ok());
    Result<DeploymentRecord> done = history->deployment(*id);
    QCOMPARE(done->result, DeploymentResult::Failed);
    QCOMPARE(done->error, QStringLiteral("health check failed"));
    QCOMPARE(done->log, QStringLiteral("the whole log\n"));
    QVERIFY(done->finished >= done->started);

    // Finished once: a second finish and a late log line are refused, and change nothing.
    const Status twice = history->finishDeployment(*id, DeploymentResult::Succeeded, QString(), QString());
    QVERIFY(!twice);
    QVERIFY2(twice.error().message.contains(u"already finished (failed)"), qPrintable(twice.error().message));
    QVERIFY(!history->appendDeploymentLog(*id, QStringLiteral("late\n")));
    QCOMPARE(history->deployment(*id)->result, DeploymentResult::Failed);
    QVERIFY(!history->finishDeployment(*id, DeploymentResult::Running, QString(), QString()));

    QVERIFY(!history->startDeployment(4242, QStringLiteral("web")));
    QVERIFY(!history->startDeployment(*release, QString()));
    QVERIFY(!history->deployment(4242));
    QVERIFY(!history->finishDeployment(4242, DeploymentResult::Succeeded, QString(), QString()));
}

void TestHistory::deploymentFilters()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    const qint64 hello = *history->addRelease(makeRelease(QStringLiteral("hello"), 'a'));
    const qint64 other = *history->addRelease(makeRelease(QStringLiteral("other"), 'b'));
    const qint64 d1 = deploy(*history, hello, QStringLiteral("web"), DeploymentResult::Succeeded);
    const qint64 d2 = deploy(*history, hello, QStringLiteral("api"), DeploymentResult::Failed);
    const qint64 d3 = deploy(*history, other, QStringLiteral("web"), DeploymentResult::Succeeded);
    const qint64 d4 = deploy(*history, hello, QStringLiteral("web"), DeploymentResult::Cancelled);
    QVERIFY(d1 && d2 && d3 && d4);

    const auto ids = [&](const DeploymentFilter &filter) {
        QList<qint64> list;
        const Result<QList<DeploymentRecord>> records = history->deployments(filter);
        for (const DeploymentRecord &record : records.value())
            list.append(record.id);
        return list;
    };
    QCOMPARE(ids({}), (QList<qint64>{d4, d3, d2, d1}));
    DeploymentFilter byProject;
    byProject.project = QStringLiteral("hello");
    QCOMPARE(ids(byProject), (QList<qint64>{d4, d2, d1}));
    DeploymentFilter byTarget;
    byTarget.target = QStringLiteral("web");
    QCOMPARE(ids(byTarget), (QList<qint64>{d4, d3, d1}));
    DeploymentFilter both = byTarget;
    both.project = QStringLiteral("hello");
    QCOMPARE(ids(both), (QList<qint64>{d4, d1}));
    DeploymentFilter byResult;
    byResult.result = DeploymentResult::Succeeded;
    QCOMPARE(ids(byResult), (QList<qint64>{d3, d1}));
    DeploymentFilter limited;
    limited.limit = 2;
    QCOMPARE(ids(limited), (QList<qint64>{d4, d3}));
    DeploymentFilter none;
    none.target = QStringLiteral("nowhere");
    QVERIFY(ids(none).isEmpty());
    // Values are bound, never pasted into the SQL.
    DeploymentFilter injection;
    injection.project = QStringLiteral("x' OR '1'='1");
    QVERIFY(ids(injection).isEmpty());
}

// Operations on apps: stored whole, newest first, filtered by app and target; a bad action
// name never reaches the table (CHECK) and an operation needs its app and target.
void TestHistory::operationsRoundTrip()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    const qint64 release = *history->addRelease(makeRelease(QStringLiteral("hello"), 'a'));
    OperationRecord stop;
    stop.app = QStringLiteral("hello");
    stop.target = QStringLiteral("web");
    stop.action = OperationAction::Stop;
    stop.releaseId = release;
    stop.user = QStringLiteral("ana");
    stop.host = QStringLiteral("desk");
    stop.started = QDateTime::fromMSecsSinceEpoch(1000, Qt::UTC);
    stop.finished = QDateTime::fromMSecsSinceEpoch(1500, Qt::UTC);
    stop.succeeded = true;
    stop.detail = QStringLiteral("stopped hello-1");
    const Result<qint64> first = history->addOperation(stop);
    QVERIFY2(first.ok(), qPrintable(errorText(first)));
    OperationRecord failed = stop;
    failed.target = QStringLiteral("api");
    failed.action = OperationAction::Remove;
    failed.releaseId = 0;
    failed.succeeded = false;
    failed.error = QStringLiteral("target api: unreachable");
    failed.detail.clear();
    const Result<qint64> second = history->addOperation(failed);
    QVERIFY2(second.ok(), qPrintable(errorText(second)));

    const Result<QList<OperationRecord>> all = history->operations();
    QVERIFY2(all.ok(), qPrintable(errorText(all)));
    QCOMPARE(all->size(), 2);
    QCOMPARE(all->at(0).id, second.value());
    QCOMPARE(all->at(0).action, OperationAction::Remove);
    QCOMPARE(all->at(0).releaseId, 0);
    QVERIFY(!all->at(0).succeeded);
    QCOMPARE(all->at(0).error, QStringLiteral("target api: unreachable"));
    const OperationRecord &read = all->at(1);
    QCOMPARE(read.app, QStringLiteral("hello"));
    QCOMPARE(read.target, QStringLiteral("web"));
    QCOMPARE(read.action, OperationAction::Stop);
    QCOMPARE(read.releaseId, release);
    QCOMPARE(read.user, QStringLiteral("ana"));
    QCOMPARE(read.host, QStringLiteral("desk"));
    QCOMPARE(read.started, stop.started);
    QCOMPARE(read.finished, stop.finished);
    QVERIFY(read.succeeded);
    QCOMPARE(read.detail, QStringLiteral("stopped hello-1"));

    OperationFilter byTarget;
    byTarget.target = QStringLiteral("web");
    QCOMPARE(history->operations(byTarget)->size(), 1);
    OperationFilter byApp;
    byApp.app = QStringLiteral("other");
    QVERIFY(history->operations(byApp)->isEmpty());
    OperationRecord nameless = stop;
    nameless.app.clear();
    QVERIFY(!history->addOperation(nameless).ok());

    // Every action's name reads back as the action; the proxy's two are stored as well.
    for (const OperationAction action :
         {OperationAction::Stop, OperationAction::Start, OperationAction::Restart, OperationAction::Remove,
          OperationAction::Maintenance, OperationAction::Live})
        QVERIFY2(operationActionFromName(operationActionName(action)) == action,
                 qPrintable(operationActionName(action)));
    QCOMPARE(operationActionName(OperationAction::Maintenance), QStringLiteral("maintenance"));
    QCOMPARE(operationActionName(OperationAction::Live), QStringLiteral("live"));
    QVERIFY(!operationActionFromName(QStringLiteral("pause")));
    OperationRecord maintenance = stop;
    maintenance.action = OperationAction::Maintenance;
    QVERIFY(history->addOperation(maintenance).ok());
    QCOMPARE(history->operations(byTarget)->first().action, OperationAction::Maintenance);
}

void TestHistory::currentRelease()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    const QString web = QStringLiteral("web");
    QVERIFY(!history->currentRelease(web)->has_value());

    const qint64 a = *history->addRelease(makeRelease(QStringLiteral("hello"), 'a'));
    QVERIFY(deploy(*history, a, web, DeploymentResult::Succeeded));
    QCOMPARE(history->currentRelease(web)->value().id, a);

    const qint64 b = *history->addRelease(makeRelease(QStringLiteral("hello"), 'b'));
    QVERIFY(deploy(*history, b, web, DeploymentResult::Succeeded));
    QCOMPARE(history->currentRelease(web)->value().id, b);

    // A rebuild with the same image digest (a new release of the same bytes) is current too.
    const qint64 b2 = *history->addRelease(makeRelease(QStringLiteral("hello"), 'b'));
    QVERIFY(deploy(*history, b2, web, DeploymentResult::Succeeded));
    QCOMPARE(history->currentRelease(web)->value().id, b2);

    // Failed, cancelled and running deployments change neither.
    const qint64 c = *history->addRelease(makeRelease(QStringLiteral("hello"), 'c'));
    QVERIFY(deploy(*history, c, web, DeploymentResult::Failed));
    QVERIFY(deploy(*history, c, web, DeploymentResult::Cancelled));
    QVERIFY(history->startDeployment(c, web).ok());
    QCOMPARE(history->currentRelease(web)->value().id, b2);

    // Other targets have their own.
    QVERIFY(deploy(*history, c, QStringLiteral("api"), DeploymentResult::Succeeded));
    QCOMPARE(history->currentRelease(QStringLiteral("api"))->value().id, c);
    QCOMPARE(history->currentRelease(web)->value().id, b2);

    // A rollback is a new deployment of the old release: it becomes current.
    QVERIFY(deploy(*history, a, web, DeploymentResult::Succeeded));
    QCOMPARE(history->currentRelease(web)->value().id, a);
}

void TestHistory::liveDeploymentNotInterrupted()
{
    std::unique_ptr<History> writer = openHistory();
    QVERIFY(writer);
    const qint64 release = *writer->addRelease(makeRelease(QStringLiteral("hello"), 'a'));
    Result<qint64> id = writer->startDeployment(release, QStringLiteral("web"));
    QVERIFY(id.ok());
    // A second History (the GUI while the CLI deploys): this process is alive, so its
    // deployment stays running.
    std::unique_ptr<History> reader = openHistory();
    QVERIFY(reader);
    QCOMPARE(reader->deployment(*id)->result, DeploymentResult::Running);

    // A deployment whose process is gone (a pid that cannot exist) is interrupted on open.
    {
        RawDb raw(m_path);
        QCOMPARE(
            raw.exec(
                {QStringLiteral("UPDATE deployments SET owner_pid = 2147483646 WHERE id = %1").arg(*id)}),
            QString());
    }
    std::unique_ptr<History> third = openHistory();
    QVERIFY(third);
    Result<DeploymentRecord> record = third->deployment(*id);
    QCOMPARE(record->result, DeploymentResult::Interrupted);
    QVERIFY(record->finished.isValid());
    QVERIFY2(record->error.contains(u"pid 2147483646"), qPrintable(record->error));

    // It waits for repair until marked repaired, once; a running or succeeded one cannot be.
    DeploymentFilter unrepaired;
    unrepaired.unrepairedOnly = true;
    QCOMPARE(third->deployments(unrepaired)->size(), 1);
    QVERIFY(!record->repaired.isValid());
    QVERIFY(third->markDeploymentRepaired(*id, QStringLiteral("\nstarted web-1 again")).ok());
    record = third->deployment(*id);
    QVERIFY(record->repaired.isValid());
    QVERIFY(record->log.endsWith(u"\nstarted web-1 again"));
    QVERIFY(third->deployments(unrepaired)->isEmpty());
    QCOMPARE(third->markDeploymentRepaired(*id, QStringLiteral("again")).error().kind, Error::Kind::BadInput);
    const qint64 live = *third->startDeployment(release, QStringLiteral("web"));
    QVERIFY(!third->markDeploymentRepaired(live, {}).ok());
}

void TestHistory::killedWriterLeavesInterruptedDeployment()
{
    for (int round = 0; round < 3; ++round) {
        QProcess child;
        child.start(QStringLiteral(HISTORY_CRASH_CHILD), {m_path});
        QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
        qint64 deploymentId = 0;
        int progress = 0;
        // Wait for the deployment, then for a few batches of writes (more each round).
        while (progress < round + 2) {
            if (!child.canReadLine() && !child.waitForReadyRead(30000))
                QFAIL(qPrintable(QStringLiteral("child stopped: ") +
                                 QString::fromUtf8(child.readAllStandardError())));
            while (child.canReadLine()) {
                const QString line = QString::fromUtf8(child.readLine()).trimmed();
                if (line.startsWith(u"started "))
                    deploymentId = line.mid(8).toLongLong();
                else if (line.startsWith(u"wrote "))
                    ++progress;
            }
        }
        QVERIFY(deploymentId > 0);
        child.kill(); // SIGKILL: no destructor, no rollback, possibly mid-transaction
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        std::unique_ptr<History> history = openHistory();
        QVERIFY(history);
        const Status integrity = history->checkIntegrity();
        QVERIFY2(integrity.ok(), qPrintable(errorText(integrity)));
        Result<DeploymentRecord> record = history->deployment(deploymentId);
        QVERIFY2(record.ok(), qPrintable(errorText(record)));
        QCOMPARE(record->result, DeploymentResult::Interrupted);
        QVERIFY2(record->error.contains(u"interrupted"), qPrintable(record->error));
        QVERIFY(record->log.startsWith(u"log line 1\n"));
        DeploymentFilter running;
        running.result = DeploymentResult::Running;
        QVERIFY(history->deployments(running)->isEmpty());
    }
}

void TestHistory::processesMigrateAndWriteTogether()
{
    // Four processes open a database that does not exist yet at the same moment: one migrates,
    // the others wait for its lock and find the work done; then all four write at once.
    std::vector<std::unique_ptr<QProcess>> children;
    for (int i = 0; i < 4; ++i) {
        children.push_back(std::make_unique<QProcess>());
        children.back()->start(QStringLiteral(HISTORY_CRASH_CHILD), {m_path});
    }
    QSet<qint64> deployments;
    for (const auto &child : children) {
        QVERIFY2(child->waitForStarted(), qPrintable(child->errorString()));
        int batches = 0;
        while (batches < 2) {
            if (!child->canReadLine() && !child->waitForReadyRead(30000))
                QFAIL(qPrintable(QStringLiteral("child stopped: ") +
                                 QString::fromUtf8(child->readAllStandardError())));
            while (child->canReadLine()) {
                const QString line = QString::fromUtf8(child->readLine()).trimmed();
                if (line.startsWith(u"started "))
                    deployments.insert(line.mid(8).toLongLong());
                else if (line.startsWith(u"wrote "))
                    ++batches;
            }
        }
    }
    QCOMPARE(deployments.size(), 4);
    for (const auto &child : children) {
        child->kill();
        QVERIFY(child->waitForFinished(10000));
    }
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    QVERIFY(history->checkIntegrity().ok());
    for (qint64 id : deployments)
        QCOMPARE(history->deployment(id)->result, DeploymentResult::Interrupted);
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM projects")).toInt(), 1);
}

void TestHistory::emptyFileIsMigrated()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly)); // zero bytes: a valid, empty SQLite database
    file.close();
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    QVERIFY(history->addTarget(makeTarget(QStringLiteral("web"))).ok());
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
}

void TestHistory::versionOneIsMigrated()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    {
        RawDb raw(m_path);
        QVERIFY(raw.isOpen());
        QStringList statements = slipway::test::schemaV1();
        statements
            << QStringLiteral("INSERT INTO projects (id, name, source, created) VALUES (1, 'old', '/src', 1)")
            << QStringLiteral("INSERT INTO releases (id, project_id, commit_id, digest, created)"
                              " VALUES (7, 1, 'abc', 'sha256:old', 2)")
            << QStringLiteral("INSERT INTO deployments (id, release_id, target, started, result)"
                              " VALUES (3, 7, 'web', 3, 'running')")
            << QStringLiteral("INSERT INTO deployments (id, release_id, target, started, finished, result)"
                              " VALUES (4, 7, 'web', 4, 5, 'succeeded')")
            << QStringLiteral("INSERT INTO targets (name, endpoint, created) VALUES ('web', 'unix:///x', 1)");
        QCOMPARE(raw.exec(statements), QString());
    }
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
    }
    // The data survived, and the deployment v1 left running (no owner) is interrupted.
    QCOMPARE(history->release(7)->commit, QStringLiteral("abc"));
    QCOMPARE(history->target(QStringLiteral("web"))->endpoint, QStringLiteral("unix:///x"));
    QCOMPARE(history->deployment(3)->result, DeploymentResult::Interrupted);
    QCOMPARE(history->currentRelease(QStringLiteral("web"))->value().id, 7);
    // And the new columns are written from now on.
    Result<qint64> id = history->startDeployment(7, QStringLiteral("web"));
    QVERIFY(id.ok());
    RawDb raw(m_path);
    QCOMPARE(
        raw.scalar(QStringLiteral("SELECT owner_pid FROM deployments WHERE id = %1").arg(*id)).toLongLong(),
        qint64(QCoreApplication::applicationPid()));
}

void TestHistory::versionTwoIsMigrated()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    {
        RawDb raw(m_path);
        QVERIFY(raw.isOpen());
        QStringList statements = slipway::test::schemaV2();
        statements
            << QStringLiteral("INSERT INTO projects (id, name, source, created) VALUES (1, 'old', '/src', 1)")
            << QStringLiteral("INSERT INTO releases (id, project_id, commit_id, ref, image, digest, build_ms,"
                              " created) VALUES (7, 1, 'abc', 'main', 'localhost/slipway-old', 'sha256:old',"
                              " 42, 2)")
            << QStringLiteral("INSERT INTO release_layers (release_id, position, name, digest, size)"
                              " VALUES (7, 0, 'app', 'sha256:layer', 10)")
            << QStringLiteral("INSERT INTO deployments (id, release_id, target, started, finished, result,"
                              " owner_pid, owner_host) VALUES (4, 7, 'web', 4, 5, 'succeeded', 1, 'h')")
            << QStringLiteral("INSERT INTO targets (name, endpoint, created) VALUES ('web', 'unix:///x', 1)");
        QCOMPARE(raw.exec(statements), QString());
    }
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
    }
    // The data survived; the old release has no deploy settings (and reads as empty, not null).
    Result<ReleaseRecord> old = history->release(7);
    QVERIFY2(old.ok(), qPrintable(errorText(old)));
    QCOMPARE(old->commit, QStringLiteral("abc"));
    QCOMPARE(old->ref, QStringLiteral("main"));
    QCOMPARE(old->image, QStringLiteral("localhost/slipway-old"));
    QCOMPARE(old->buildMs, 42);
    QCOMPARE(old->layers.size(), 1);
    QCOMPARE(old->layers.at(0).digest, QStringLiteral("sha256:layer"));
    QVERIFY(old->deploySettings.isEmpty());
    QCOMPARE(history->deployment(4)->result, DeploymentResult::Succeeded);
    QCOMPARE(history->currentRelease(QStringLiteral("web"))->value().id, 7);
    QCOMPARE(history->target(QStringLiteral("web"))->endpoint, QStringLiteral("unix:///x"));

    // The new column is written and read from now on, also through releases() and currentRelease().
    ReleaseRecord release = makeRelease(QStringLiteral("old"), 'n');
    release.deploySettings = QStringLiteral("{\"app\":\"old\",\"env\":{\"MODE\":\"prod\"}}");
    Result<qint64> id = history->addRelease(release);
    QVERIFY2(id.ok(), qPrintable(errorText(id)));
    QCOMPARE(history->release(*id)->deploySettings, release.deploySettings);
    QCOMPARE(history->releases(QStringLiteral("old"))->constFirst().deploySettings, release.deploySettings);
    Result<qint64> deployment = history->startDeployment(*id, QStringLiteral("web"));
    QVERIFY(deployment.ok());
    QVERIFY(history->finishDeployment(*deployment, DeploymentResult::Succeeded, QString(), QString()).ok());
    QCOMPARE(history->currentRelease(QStringLiteral("web"))->value().deploySettings, release.deploySettings);
    RawDb raw(m_path);
    QCOMPARE(
        raw.scalar(QStringLiteral("SELECT deploy_settings FROM releases WHERE id = %1").arg(*id)).toString(),
        release.deploySettings);
}

void TestHistory::versionThreeIsMigrated()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    {
        RawDb raw(m_path);
        QVERIFY(raw.isOpen());
        QStringList statements = slipway::test::schemaV3();
        statements
            << QStringLiteral("INSERT INTO projects (id, name, source, created) VALUES (1, 'old', '/src', 1)")
            << QStringLiteral(
                   "INSERT INTO releases (id, project_id, commit_id, ref, image, digest, build_ms,"
                   " created, deploy_settings) VALUES (7, 1, 'abc', 'main', 'localhost/slipway-old',"
                   " 'sha256:old', 42, 2, '{\"app\":\"old\"}')")
            << QStringLiteral("INSERT INTO release_layers (release_id, position, name, digest, size)"
                              " VALUES (7, 0, 'app', 'sha256:layer', 10)")
            << QStringLiteral("INSERT INTO deployments (id, release_id, target, started, finished, result,"
                              " owner_pid, owner_host) VALUES (4, 7, 'web', 4, 5, 'succeeded', 1, 'h')")
            << QStringLiteral("INSERT INTO targets (name, endpoint, created) VALUES ('web', 'unix:///x', 1)");
        QCOMPARE(raw.exec(statements), QString());
    }
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 9);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
        QVERIFY(raw.scalar(QStringLiteral("SELECT repaired FROM deployments WHERE id = 4")).isNull());
    }
    // The data survived; the old release has no message (and reads as empty, not null).
    Result<ReleaseRecord> old = history->release(7);
    QVERIFY2(old.ok(), qPrintable(errorText(old)));
    QCOMPARE(old->commit, QStringLiteral("abc"));
    QCOMPARE(old->deploySettings, QStringLiteral("{\"app\":\"old\"}"));
    QCOMPARE(old->layers.size(), 1);
    QVERIFY(old->message.isEmpty());
    QVERIFY(!old->message.isNull());
    Result<DeploymentRecord> oldDeployment = history->deployment(4);
    QVERIFY2(oldDeployment.ok(), qPrintable(errorText(oldDeployment)));
    QCOMPARE(oldDeployment->result, DeploymentResult::Succeeded);
    QVERIFY(oldDeployment->message.isEmpty());
    QCOMPARE(history->currentRelease(QStringLiteral("web"))->value().id, 7);

    // The new column is written and read from now on: release(), releases(), deployment(s)().
    ReleaseRecord release = makeRelease(QStringLiteral("old"), 'n');
    release.message = QStringLiteral("Add the menu page");
    Result<qint64> id = history->addRelease(release);
    QVERIFY2(id.ok(), qPrintable(errorText(id)));
    QCOMPARE(history->release(*id)->message, release.message);
    QCOMPARE(history->releases(QStringLiteral("old"))->constFirst().message, release.message);
    Result<qint64> deployment = history->startDeployment(*id, QStringLiteral("web"));
    QVERIFY(deployment.ok());
    QCOMPARE(history->deployment(*deployment)->message, release.message);
    DeploymentFilter filter;
    filter.project = QStringLiteral("old");
    Result<QList<DeploymentRecord>> listed = history->deployments(filter);
    QVERIFY(listed.ok());
    QCOMPARE(listed->size(), 2);
    QCOMPARE(listed->at(0).message, release.message);
    QVERIFY(listed->at(1).message.isEmpty());
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT message FROM releases WHERE id = %1").arg(*id)).toString(),
             release.message);
}

void TestHistory::versionSevenIsMigrated()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    {
        RawDb raw(m_path);
        QVERIFY(raw.isOpen());
        QStringList statements = slipway::test::schemaV7();
        statements << QStringLiteral(
                          "INSERT INTO targets (name, endpoint, tls_ca, tls_cert, tls_key, created)"
                          " VALUES ('web', 'tcp://10.0.0.1:2376', '/ca', '/cert', '/key', 1)")
                   << QStringLiteral(
                          "INSERT INTO targets (name, endpoint, created) VALUES ('api', 'unix:///x', 2)");
        QCOMPARE(raw.exec(statements), QString());
    }
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 9);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
        // The new columns hold their defaults, not NULL.
        QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_image FROM targets WHERE name = 'web'")).toString(),
                 QString());
        QVERIFY(
            !raw.scalar(QStringLiteral("SELECT proxy_http_port FROM targets WHERE name = 'web'")).isNull());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_http_port FROM targets WHERE name = 'web'")).toInt(),
                 0);
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT proxy_https_port FROM targets WHERE name = 'web'")).toInt(), 0);
    }
    // The targets survived whole, with the default proxy.
    Result<Target> web = history->target(QStringLiteral("web"));
    QVERIFY2(web.ok(), qPrintable(errorText(web)));
    QCOMPARE(web->endpoint, QStringLiteral("tcp://10.0.0.1:2376"));
    QCOMPARE(web->tlsCa, QStringLiteral("/ca"));
    QCOMPARE(web->tlsCert, QStringLiteral("/cert"));
    QCOMPARE(web->tlsKey, QStringLiteral("/key"));
    QVERIFY(web->proxyImage.isEmpty());
    QCOMPARE(web->proxyHttpPort, 0);
    QCOMPARE(web->proxyHttpsPort, 0);
    QCOMPARE(history->targets()->size(), 2);

    // The new columns are written and read from now on, by update and by add.
    Target changed = web.value();
    changed.proxyImage = QStringLiteral("docker.io/library/haproxy:2.8");
    changed.proxyHttpPort = 8080;
    changed.proxyHttpsPort = 8443;
    QVERIFY(history->updateTarget(changed).ok());
    Target added = makeTarget(QStringLiteral("db"));
    added.proxyHttpsPort = 9443;
    QVERIFY(history->addTarget(added).ok());
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_image FROM targets WHERE name = 'web'")).toString(),
             changed.proxyImage);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_http_port FROM targets WHERE name = 'web'")).toInt(),
             8080);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_https_port FROM targets WHERE name = 'web'")).toInt(),
             8443);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_https_port FROM targets WHERE name = 'db'")).toInt(),
             9443);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT proxy_http_port FROM targets WHERE name = 'db'")).toInt(), 0);
    Result<Target> readBack = history->target(QStringLiteral("web"));
    QVERIFY2(readBack.ok(), qPrintable(errorText(readBack)));
    QCOMPARE(readBack->proxyImage, changed.proxyImage);
    QCOMPARE(readBack->proxyHttpPort, 8080);
    QCOMPARE(readBack->proxyHttpsPort, 8443);
    QCOMPARE(history->target(QStringLiteral("api"))->proxyHttpPort, 0);
}

// 8 -> 9: the operations table made again with 'maintenance' and 'live' allowed; every row
// kept whole, ids and index included, and other names still refused.
void TestHistory::versionEightIsMigrated()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    {
        RawDb raw(m_path);
        QVERIFY(raw.isOpen());
        QStringList statements = slipway::test::schemaV8();
        statements << QStringLiteral(
                          "INSERT INTO projects (id, name, source, created) VALUES (1, 'web', '/src', 1)")
                   << QStringLiteral(
                          "INSERT INTO releases (id, project_id, commit_id, ref, image, digest, build_ms,"
                          " created) VALUES (3, 1, 'abc', 'main', 'localhost/web', 'sha256:w', 1, 2)")
                   << QStringLiteral(
                          "INSERT INTO operations (id, app, target, action, release_id, user, host, started,"
                          " finished, succeeded, error, detail) VALUES (5, 'web', 'local', 'stop', 3, 'ana',"
                          " 'desk', 1000, 1500, 1, '', 'stopped web-3')")
                   << QStringLiteral(
                          "INSERT INTO operations (id, app, target, action, release_id, user, host, started,"
                          " finished, succeeded, error, detail) VALUES (9, 'web', 'edge', 'remove', NULL,"
                          " 'bo', 'lap', 2000, 2100, 0, 'target edge: unreachable', '')");
        QCOMPARE(raw.exec(statements), QString());
        // Version 8 refuses the new names: why the step is needed.
        QVERIFY(!raw.exec({QStringLiteral("INSERT INTO operations (app, target, action, started, finished,"
                                          " succeeded) VALUES ('web', 'local', 'maintenance', 1, 1, 1)")})
                     .isEmpty());
    }
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    {
        RawDb raw(m_path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 9);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), History::schemaVersion());
        QCOMPARE(raw.scalar(QStringLiteral(
                                "SELECT count(*) FROM sqlite_master WHERE name = 'operations_by_target'"))
                     .toInt(),
                 1);
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'operations_next'"))
                .toInt(),
            0);
        QVERIFY(!raw.exec({QStringLiteral("INSERT INTO operations (app, target, action, started, finished,"
                                          " succeeded) VALUES ('web', 'local', 'pause', 1, 1, 1)")})
                     .isEmpty());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA foreign_key_check")), QVariant());
    }
    const Result<QList<OperationRecord>> before = history->operations();
    QVERIFY2(before.ok(), qPrintable(errorText(before)));
    QCOMPARE(before->size(), 2);
    QCOMPARE(before->at(0).id, 9);
    QCOMPARE(before->at(0).action, OperationAction::Remove);
    QCOMPARE(before->at(0).releaseId, 0);
    QVERIFY(!before->at(0).succeeded);
    QCOMPARE(before->at(0).error, QStringLiteral("target edge: unreachable"));
    const OperationRecord &stop = before->at(1);
    QCOMPARE(stop.id, 5);
    QCOMPARE(stop.app, QStringLiteral("web"));
    QCOMPARE(stop.target, QStringLiteral("local"));
    QCOMPARE(stop.action, OperationAction::Stop);
    QCOMPARE(stop.releaseId, 3);
    QCOMPARE(stop.user, QStringLiteral("ana"));
    QCOMPARE(stop.host, QStringLiteral("desk"));
    QCOMPARE(stop.started, QDateTime::fromMSecsSinceEpoch(1000, Qt::UTC));
    QCOMPARE(stop.finished, QDateTime::fromMSecsSinceEpoch(1500, Qt::UTC));
    QVERIFY(stop.succeeded);
    QCOMPARE(stop.detail, QStringLiteral("stopped web-3"));

    // Maintenance and live are written and read from now on, after the kept ids.
    for (const OperationAction action : {OperationAction::Maintenance, OperationAction::Live}) {
        OperationRecord operation = stop;
        operation.id = 0;
        operation.action = action;
        operation.detail = operationActionName(action);
        const Result<qint64> id = history->addOperation(operation);
        QVERIFY2(id.ok(), qPrintable(errorText(id)));
        QVERIFY(id.value() > 9);
    }
    const Result<QList<OperationRecord>> after = history->operations();
    QVERIFY2(after.ok(), qPrintable(errorText(after)));
    QCOMPARE(after->size(), 4);
    QCOMPARE(after->at(0).action, OperationAction::Live);
    QCOMPARE(after->at(0).detail, QStringLiteral("live"));
    QCOMPARE(after->at(1).action, OperationAction::Maintenance);
    QCOMPARE(after->at(1).detail, QStringLiteral("maintenance"));
}

void TestHistory::newerVersionIsRefused()
{
    QVERIFY(openHistory());
    {
        RawDb raw(m_path);
        QCOMPARE(raw.exec({QStringLiteral("PRAGMA user_version = 99")}), QString());
    }
    Result<std::unique_ptr<History>> history = History::open(m_path);
    QVERIFY(!history);
    const QString message = history.error().message;
    QVERIFY2(message.startsWith(m_path + QStringLiteral(": ")), qPrintable(message));
    QVERIFY2(message.contains(u"schema version 99") && message.contains(u"newer"), qPrintable(message));
    QVERIFY(!message.contains(u'\n'));
    RawDb raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 99); // never downgraded
}

void TestHistory::corruptFileIsRefused()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    QByteArray garbage;
    for (int i = 0; i < 8192; ++i)
        garbage.append(char((i * 7919 + 13) & 0xff));
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(garbage);
    file.close();

    Result<std::unique_ptr<History>> history = History::open(m_path);
    QVERIFY(!history);
    const QString message = history.error().message;
    QVERIFY2(message.startsWith(m_path + QStringLiteral(": ")), qPrintable(message));
    QVERIFY2(message.contains(u"not a SQLite database"), qPrintable(message));
    QVERIFY(!message.contains(u'\n'));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), garbage); // left as it was
}

void TestHistory::unusableDirectory()
{
    // The data directory is a file.
    QFile blocker(m_dir->filePath(QStringLiteral("data")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    Result<std::unique_ptr<History>> history = History::open(m_path);
    QVERIFY(!history);
    QVERIFY2(history.error().message.startsWith(m_path), qPrintable(history.error().message));
    QVERIFY2(history.error().message.contains(u"cannot create the directory"),
             qPrintable(history.error().message));

    // The database path is a directory.
    const QString directory = m_dir->filePath(QStringLiteral("dir.sqlite"));
    QVERIFY(QDir().mkpath(directory));
    Result<std::unique_ptr<History>> onDirectory = History::open(directory);
    QVERIFY(!onDirectory);
    QVERIFY2(onDirectory.error().message.contains(u"not a file"), qPrintable(onDirectory.error().message));
}

void TestHistory::readerWhileWriterHoldsTransaction()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    QVERIFY(history->addTarget(makeTarget(QStringLiteral("before"))).ok());

    // A second connection writes and has not committed: with WAL the reader neither waits nor
    // sees the uncommitted row, and sees it once committed.
    RawDb writer(m_path);
    QCOMPARE(writer.exec(
                 {QStringLiteral("BEGIN IMMEDIATE"),
                  QStringLiteral(
                      "INSERT INTO targets (name, endpoint, created) VALUES ('during', 'unix:///x', 1)"),
                  QStringLiteral("UPDATE targets SET endpoint = 'unix:///changed' WHERE name = 'before'")}),
             QString());
    Result<QList<Target>> during = history->targets();
    QVERIFY2(during.ok(), qPrintable(errorText(during)));
    QCOMPARE(during->size(), 1);
    QCOMPARE(during->first().endpoint, makeTarget(QStringLiteral("before")).endpoint);
    QCOMPARE(writer.exec({QStringLiteral("COMMIT")}), QString());
    Result<QList<Target>> after = history->targets();
    QCOMPARE(after->size(), 2);
    QCOMPARE(history->target(QStringLiteral("before"))->endpoint, QStringLiteral("unix:///changed"));
}

void TestHistory::workerThreadOpensItsOwn()
{
    std::unique_ptr<History> history = openHistory();
    QVERIFY(history);
    const qint64 release = *history->addRelease(makeRelease(QStringLiteral("hello"), 'a'));

    // A worker thread opens its own History and writes while this thread reads and writes.
    constexpr int perThread = 40;
    std::atomic<int> workerFailures{0};
    std::thread worker([&] {
        Result<std::unique_ptr<History>> own = History::open(m_path);
        if (!own) {
            ++workerFailures;
            return;
        }
        for (int i = 0; i < perThread; ++i) {
            Result<qint64> id = own.value()->startDeployment(release, QStringLiteral("worker"));
            if (!id || !own.value()->finishDeployment(*id, DeploymentResult::Succeeded, QString(), QString()))
                ++workerFailures;
        }
    });
    int mainFailures = 0;
    for (int i = 0; i < perThread; ++i) {
        if (!history->deployments().ok() ||
            deploy(*history, release, QStringLiteral("main"), DeploymentResult::Succeeded) == 0)
            ++mainFailures;
    }
    worker.join();
    QCOMPARE(workerFailures.load(), 0);
    QCOMPARE(mainFailures, 0);
    QCOMPARE(history->deployments()->size(), 2 * perThread);
    QVERIFY(history->checkIntegrity().ok());
}

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
