// What the CLI prints while it works (TerminalProgress): on a terminal a status line redrawn in
// place, into a pipe plain lines without escape codes, nothing when quiet.

#include "progress.h"

#include <QTest>
#include <QTextStream>

using namespace slipway;
using slipway::cli::TerminalProgress;

namespace {

// A deploy's events: the stage, a target sending its image a few times, its next steps, and a
// warning of the target's.
void postDeploy(TerminalProgress &progress)
{
    progress.post(StageEvent{.stage = Stage::Deploy, .state = StageState::Running, .elapsedMs = 0});
    progress.post(TargetEvent{.target = QStringLiteral("web1"),
                              .state = TargetState::Pulling,
                              .detail = QStringLiteral("sending the image"),
                              .imageBytesSent = -1,
                              .imageBytes = 0});
    for (const qint64 sent : {1000000, 2500000, 4000000}) {
        QTest::qWait(210); // past the redraw interval
        progress.post(TargetEvent{.target = QStringLiteral("web1"),
                                  .state = TargetState::Pulling,
                                  .detail = QStringLiteral("sending the image"),
                                  .imageBytesSent = sent,
                                  .imageBytes = 4000000});
    }
    progress.post(LogEvent{.time = QDateTime::currentDateTimeUtc(),
                           .level = LogLevel::Warning,
                           .stage = QStringLiteral("deploy"),
                           .target = QStringLiteral("web1"),
                           .text = QStringLiteral("waiting: web is being deployed by pid 42")});
    progress.post(TargetEvent{.target = QStringLiteral("web1"),
                              .state = TargetState::WaitingHealthy,
                              .detail = {},
                              .imageBytesSent = -1,
                              .imageBytes = 0});
}

} // namespace

class TestTerminalProgress final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A Dockerfile build's steps: a line as each ends (cached, done or failed), with its time;
    // none while one runs, one only per step.
    void dockerfileStepsAreLinesAsTheyEnd()
    {
        QString text;
        {
            QTextStream err(&text);
            TerminalProgress progress(err, TerminalProgress::Mode::Lines);
            const auto step = [&](int index, const QString &name, LayerState state, qint64 ms) {
                LayerEvent event;
                event.index = index;
                event.name = name;
                event.state = state;
                event.elapsedMs = ms;
                event.step = true;
                progress.post(event);
            };
            step(0, QStringLiteral("FROM base"), LayerState::Cached, 0);
            step(1, QStringLiteral("RUN make"), LayerState::Building, 0);
            step(1, QStringLiteral("RUN make"), LayerState::Done, 2340);
            step(1, QStringLiteral("RUN make"), LayerState::Done, 2340);
            step(2, QStringLiteral("RUN false"), LayerState::Failed, 100);
            progress.finish();
        }
        const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.filter(QStringLiteral("RUN make")),
                 QStringList{QStringLiteral("  done   RUN make  2.3 s")});
        QVERIFY2(lines.contains(QStringLiteral("  cached FROM base  0.0 s")), qPrintable(text));
        QVERIFY2(lines.contains(QStringLiteral("  failed RUN false  0.1 s")), qPrintable(text));
    }

    // A Swarm rollout's replicas: a line when one changes, none when it does not.
    void swarmReplicasAreLines()
    {
        QString text;
        {
            QTextStream err(&text);
            TerminalProgress progress(err, TerminalProgress::Mode::Lines);
            progress.post(StageEvent{.stage = Stage::Deploy, .state = StageState::Running, .elapsedMs = 0});
            const auto replicas = [&](const QString &first) {
                progress.post(TargetEvent{
                    .target = QStringLiteral("fleet"),
                    .state = TargetState::WaitingHealthy,
                    .detail = QStringLiteral("svc"),
                    .imageBytesSent = -1,
                    .imageBytes = 0,
                    .replicas = {
                        ReplicaState{.slot = 1,
                                     .node = first == u"pending" ? QString() : QStringLiteral("node-a"),
                                     .state = first,
                                     .release = QStringLiteral("7"),
                                     .error = first == u"pending" ? QStringLiteral("no suitable node")
                                                                  : QString()},
                        ReplicaState{.slot = 2,
                                     .node = QStringLiteral("node-b"),
                                     .state = QStringLiteral("running"),
                                     .release = QStringLiteral("7"),
                                     .error = {}}}});
            };
            replicas(QStringLiteral("pending"));
            replicas(QStringLiteral("pending"));
            replicas(QStringLiteral("running"));
        }
        QCOMPARE(text,
                 QStringLiteral("deploying\n"
                                "  fleet: replica 1 on no node yet: pending, release 7 (no suitable node)\n"
                                "  fleet: replica 2 on node-b: running, release 7\n"
                                "  fleet: waiting until healthy\n"
                                "  fleet: replica 1 on node-a: running, release 7\n"));
    }

    void plainLinesIntoAPipe()
    {
        QString text;
        {
            QTextStream err(&text);
            TerminalProgress progress(err, TerminalProgress::Mode::Lines);
            postDeploy(progress);
        }
        QCOMPARE(text, QStringLiteral("deploying\n"
                                      "  web1: sending the image\n"
                                      "  web1: waiting: web is being deployed by pid 42\n"
                                      "  web1: waiting until healthy\n"));
    }

    void statusLineRedrawnOnATerminal()
    {
        QString text;
        QTextStream err(&text);
        {
            TerminalProgress progress(err, TerminalProgress::Mode::Redraw);
            postDeploy(progress);
            err.flush();
            // The bytes sent so far are on the status line, redrawn in place.
            QVERIFY2(
                text.contains(QStringLiteral("\rdeploying web1: sending the image 2.50 MB / 4.00 MB\x1b[K")),
                qPrintable(text));
            // A line that stays first clears the status line.
            QVERIFY2(text.contains(QStringLiteral("\r\x1b[K  web1: waiting until healthy\n")),
                     qPrintable(text));
            progress.finish();
            err.flush();
            QVERIFY(text.endsWith(QStringLiteral("\r\x1b[K")));
            const qsizetype length = text.size();
            postDeploy(progress); // after finish(): nothing more
            err.flush();
            QCOMPARE(text.size(), length);
        }
    }

    void quietPrintsNothing()
    {
        QString text;
        {
            QTextStream err(&text);
            TerminalProgress progress(err, TerminalProgress::Mode::Quiet);
            postDeploy(progress);
            progress.line(QStringLiteral("built"));
        }
        QCOMPARE(text, QString());
    }
};

QTEST_GUILESS_MAIN(TestTerminalProgress)
#include "tst_terminalprogress.moc"
