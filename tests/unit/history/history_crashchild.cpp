// Opens a history database, starts a deployment and writes to it until killed. Prints
// "started ID" once the deployment is committed, then "wrote N" every 20 writes, so the test
// kills it in the middle of its work.
#include "history/history.h"

#include <QCoreApplication>
#include <QTextStream>
#include <QThread>

using namespace slipway;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (argc != 2) {
        err << "usage: history_crashchild DATABASE\n";
        return 2;
    }
    Result<std::unique_ptr<History>> history = History::open(QString::fromLocal8Bit(argv[1]));
    if (!history) {
        err << "opening: " << history.error().message << '\n';
        return 1;
    }
    History &db = **history;
    ReleaseRecord release;
    release.project = QStringLiteral("crash");
    release.commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    release.digest = QStringLiteral("sha256:") + QString(64, u'c');
    Result<qint64> releaseId = db.addRelease(release);
    if (!releaseId) {
        err << "adding the release: " << releaseId.error().message << '\n';
        return 1;
    }
    Result<qint64> deployment = db.startDeployment(*releaseId, QStringLiteral("crash-target"));
    if (!deployment) {
        err << "starting the deployment: " << deployment.error().message << '\n';
        return 1;
    }
    out << "started " << *deployment << Qt::endl;
    for (qint64 i = 1;; ++i) {
        Status appended = db.appendDeploymentLog(*deployment, QStringLiteral("log line %1\n").arg(i));
        // Writes on other tables too, so the kill can land in any of them.
        release.ref = QStringLiteral("ref-%1").arg(i);
        Result<qint64> more = db.addRelease(release);
        if (!appended || !more) {
            err << "write failed: " << (appended ? more.error().message : appended.error().message) << '\n';
            return 1;
        }
        if (i % 20 == 0)
            out << "wrote " << i << Qt::endl;
        // A breath between writes, as a deploy's log has: SQLite's busy wait polls, so writers
        // that take the lock back the instant they free it could starve a fourth process past
        // the busy timeout.
        QThread::msleep(2);
    }
}
