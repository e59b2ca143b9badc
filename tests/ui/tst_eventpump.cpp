// The event pump: each tick drains the queue into one batch per model on the GUI thread, a
// backlog goes in slices, and events posted from several worker threads all arrive, in order per
// producer.

#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

using namespace slipway;

namespace {

LogEvent line(const QString &text, const QString &target = {})
{
    return LogEvent{QDateTime::currentDateTimeUtc(), LogLevel::Info, QStringLiteral("build"), target, text};
}

LayerEvent layer(int index, LayerState state, qint64 files, qint64 filesDone)
{
    LayerEvent event;
    event.index = index;
    event.name = QStringLiteral("layer %1").arg(index);
    event.state = state;
    event.files = files;
    event.filesDone = filesDone;
    return event;
}

constexpr auto Fatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

} // namespace

class TestEventPump final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneBatchPerModelPerTick()
    {
        LogModel log;
        LayerModel layers;
        QAbstractItemModelTester logTester(&log, Fatal);
        QAbstractItemModelTester layerTester(&layers, Fatal);
        EventPump pump;
        pump.stop();
        QVERIFY(!pump.isActive());
        pump.setLogModel(&log);
        pump.setLayerModel(&layers);

        QSignalSpy linesInserted(&log, &QAbstractItemModel::rowsInserted);
        QSignalSpy layersInserted(&layers, &QAbstractItemModel::rowsInserted);
        QSignalSpy stages(&pump, &EventPump::stageChanged);
        pump.queue()->post(StageEvent{Stage::Build, StageState::Running, 0});
        for (int n = 0; n < 1000; ++n) {
            pump.queue()->post(line(QString::number(n)));
            if (n % 100 == 0)
                pump.queue()->post(layer(n / 100, LayerState::Building, 10, 1));
        }
        pump.queue()->post(StageEvent{Stage::Build, StageState::Done, 1234});

        QCOMPARE(pump.pump(), 1012);
        QCOMPARE(linesInserted.size(), 1);
        QCOMPARE(log.rowCount(), 1000);
        QCOMPARE(log.index(999, 0).data(LogModel::TextRole).toString(), QStringLiteral("999"));
        QCOMPARE(layersInserted.size(), 1);
        QCOMPARE(layers.rowCount(), 10);
        QCOMPARE(stages.size(), 2);
        QCOMPARE(stages.at(0), QList<QVariant>({int(Stage::Build), int(StageState::Running), qint64(0)}));
        QCOMPARE(stages.at(1), QList<QVariant>({int(Stage::Build), int(StageState::Done), qint64(1234)}));

        QCOMPARE(pump.pump(), 0);
        QCOMPARE(linesInserted.size(), 1);
    }

    // A backlog larger than a slice goes one slice per pump() (a budget of 0: one batch each),
    // in order, the stage events where they were among the lines.
    void backlogGoesInSlicesInOrder()
    {
        constexpr int Lines = 20'000;
        constexpr int Batch = EventPump::MaxBatchEvents;
        LogModel log;
        LayerModel layers;
        QAbstractItemModelTester logTester(&log, Fatal);
        QAbstractItemModelTester layerTester(&layers, Fatal);
        EventPump pump;
        pump.stop();
        pump.setSliceBudget(std::chrono::microseconds(0));
        pump.setLogModel(&log);
        pump.setLayerModel(&layers);
        QSignalSpy linesInserted(&log, &QAbstractItemModel::rowsInserted);
        QSignalSpy stages(&pump, &EventPump::stageChanged);

        pump.queue()->post(StageEvent{Stage::Build, StageState::Running, 0});
        for (int n = 0; n < Lines; ++n) {
            if (n == Batch * 3 / 2)
                pump.queue()->post(layer(0, LayerState::Building, 10, 1));
            pump.queue()->post(line(QString::number(n)));
        }
        pump.queue()->post(StageEvent{Stage::Build, StageState::Done, 99});
        constexpr int Events = Lines + 3;

        QCOMPARE(pump.pump(), Batch);
        QCOMPARE(pump.pending(), Events - Batch);
        QCOMPARE(log.rowCount(), Batch - 1); // the first event was the stage
        QCOMPARE(stages.size(), 1);
        QCOMPARE(layers.rowCount(), 0);

        // Posted behind the backlog: after it.
        pump.queue()->post(line(QStringLiteral("late")));
        QCOMPARE(pump.pump(), Batch);
        QCOMPARE(layers.rowCount(), 1);
        QCOMPARE(stages.size(), 1);
        QCOMPARE(pump.pump(), Events + 1 - 2 * Batch);
        QCOMPARE(pump.pending(), 0);
        QCOMPARE(pump.pump(), 0);

        QCOMPARE(linesInserted.size(), 3);
        QCOMPARE(stages.size(), 2);
        QCOMPARE(stages.at(1), QList<QVariant>({int(Stage::Build), int(StageState::Done), qint64(99)}));
        QCOMPARE(log.rowCount(), Lines + 1);
        for (int row = 0; row < Lines; ++row)
            QCOMPARE(log.textAt(row), QString::number(row));
        QCOMPARE(log.textAt(Lines), QStringLiteral("late"));
    }

    // The rest of a backlog goes on in the next event-loop turns without waiting for a tick,
    // and stop() holds it until start().
    void flushDispatchesEverythingAtOnce()
    {
        EventPump pump;
        pump.stop();
        LogModel log;
        pump.setSliceBudget(std::chrono::microseconds(0)); // one batch per pump()
        pump.setLogModel(&log);
        constexpr int Lines = EventPump::MaxBatchEvents * 3;
        for (int n = 0; n < Lines; ++n)
            pump.queue()->post(line(QString::number(n)));
        QCOMPARE(pump.pump(), EventPump::MaxBatchEvents);
        pump.queue()->post(line(QStringLiteral("last")));
        // What a run's end needs: the backlog and what came after it, in order, now.
        QCOMPARE(pump.flush(), Lines + 1 - EventPump::MaxBatchEvents);
        QCOMPARE(pump.pending(), 0);
        QCOMPARE(log.rowCount(), Lines + 1);
        QCOMPARE(log.textAt(Lines), QStringLiteral("last"));
    }

    void backlogContinuesWithoutATick()
    {
        constexpr int Lines = 3 * EventPump::MaxBatchEvents + 5;
        LogModel log;
        QAbstractItemModelTester tester(&log, Fatal);
        EventPump pump;
        pump.setInterval(std::chrono::hours(1));
        pump.start();
        pump.setSliceBudget(std::chrono::microseconds(0));
        pump.setLogModel(&log);
        for (int n = 0; n < Lines; ++n)
            pump.queue()->post(line(QString::number(n)));

        QCOMPARE(pump.pump(), EventPump::MaxBatchEvents);
        pump.stop();
        QTest::qWait(50);
        QCOMPARE(log.rowCount(), EventPump::MaxBatchEvents);
        QCOMPARE(pump.pending(), Lines - EventPump::MaxBatchEvents);

        pump.start();
        QTRY_COMPARE(log.rowCount(), Lines);
        QCOMPARE(pump.pending(), 0);
        QCOMPARE(log.textAt(Lines - 1), QString::number(Lines - 1));
    }

    void timerDrainsTheQueue()
    {
        LogModel log;
        QAbstractItemModelTester tester(&log, Fatal);
        EventQueue queue;
        EventPump pump(&queue);
        QCOMPARE(pump.queue(), &queue);
        QVERIFY(pump.isActive());
        pump.setLogModel(&log);
        for (int n = 0; n < 10; ++n)
            queue.post(line(QString::number(n)));
        QTRY_COMPARE(log.rowCount(), 10);
    }

    void fetchProgressIsCoalescedPerSource()
    {
        LogModel log;
        QAbstractItemModelTester tester(&log, Fatal);
        EventPump pump;
        pump.stop();
        pump.setLogModel(&log);
        QSignalSpy fetches(&pump, &EventPump::fetchProgress);
        for (qint64 n = 1; n <= 3; ++n) {
            pump.queue()->post(FetchEvent{QStringLiteral("a"), n, 3, n * 10});
            pump.queue()->post(FetchEvent{QStringLiteral("b"), n, 5, n * 20});
        }
        pump.pump();
        QCOMPARE(fetches.size(), 2);
        QCOMPARE(fetches.at(0), QList<QVariant>({QStringLiteral("a"), qint64(3), qint64(3), qint64(30)}));
        QCOMPARE(fetches.at(1), QList<QVariant>({QStringLiteral("b"), qint64(3), qint64(5), qint64(60)}));
    }

    void modelGoneBeforePump()
    {
        EventPump pump;
        pump.stop();
        {
            LogModel log;
            QAbstractItemModelTester tester(&log, Fatal);
            pump.setLogModel(&log);
        }
        QCOMPARE(pump.logModel(), nullptr);
        pump.queue()->post(line(QStringLiteral("nobody reads this")));
        QCOMPARE(pump.pump(), 1);
    }

    // Four producers post 12,500 events each (log lines, every hundredth a layer update) while
    // the pump runs; every line arrives, in order per producer, and the models change only on
    // the main thread.
    void producersOnFourThreads()
    {
        constexpr int Producers = 4;
        constexpr int EventsEach = 12'500;
        constexpr int LayerEvery = 100;
        constexpr int LinesEach = EventsEach - EventsEach / LayerEvery;

        LogModel log;
        LayerModel layers;
        QAbstractItemModelTester logTester(&log, Fatal);
        QAbstractItemModelTester layerTester(&layers, Fatal);
        EventPump pump;
        pump.setLogModel(&log);
        pump.setLayerModel(&layers);

        bool onMainThread = true;
        int insertions = 0;
        const auto check = [&] {
            ++insertions;
            onMainThread = onMainThread && QThread::currentThread() == qApp->thread();
        };
        connect(&log, &QAbstractItemModel::rowsInserted, this, check);
        connect(&layers, &QAbstractItemModel::rowsInserted, this, check);
        connect(&layers, &QAbstractItemModel::dataChanged, this, check);

        EventQueue *queue = pump.queue();
        std::vector<std::unique_ptr<QThread>> threads;
        for (int producer = 0; producer < Producers; ++producer) {
            threads.emplace_back(QThread::create([queue, producer] {
                const QString target = QStringLiteral("producer %1").arg(producer);
                for (int n = 0; n < EventsEach; ++n) {
                    if (n % LayerEvery == LayerEvery - 1) {
                        const bool last = n == EventsEach - 1;
                        queue->post(layer(producer, last ? LayerState::Done : LayerState::Building,
                                          EventsEach, n + 1));
                    } else {
                        queue->post(line(QString::number(n), target));
                    }
                }
            }));
            threads.back()->start();
        }

        QTRY_COMPARE_WITH_TIMEOUT(log.rowCount(), Producers * LinesEach, 60'000);
        for (const auto &thread : threads)
            QVERIFY(thread->wait(60'000));
        pump.pump(); // anything posted after the last tick
        QCOMPARE(log.rowCount(), Producers * LinesEach);

        QVERIFY(onMainThread);
        QVERIFY(insertions > 0);

        // In order per producer: each one's lines count 0, 1, 2... skipping its layer events.
        std::vector<int> next(Producers, 0);
        for (int row = 0; row < log.rowCount(); ++row) {
            const QModelIndex index = log.index(row, 0);
            const int producer = index.data(LogModel::TargetRole).toString().mid(9).toInt();
            QVERIFY(producer >= 0 && producer < Producers);
            int &expected = next[size_t(producer)];
            if (expected % LayerEvery == LayerEvery - 1)
                ++expected;
            QCOMPARE(index.data(LogModel::TextRole).toString().toInt(), expected);
            ++expected;
        }
        for (int producer = 0; producer < Producers; ++producer)
            QCOMPARE(next[size_t(producer)], EventsEach - 1);

        QCOMPARE(layers.rowCount(), Producers);
        for (int row = 0; row < Producers; ++row) {
            const QModelIndex index = layers.index(row, 0);
            QCOMPARE(index.data(LayerModel::LayerIndexRole).toInt(), row);
            QCOMPARE(index.data(LayerModel::StateRole).toInt(), int(LayerState::Done));
            QCOMPARE(index.data(LayerModel::ProgressRole).toDouble(), 1.0);
        }
    }
};

QTEST_MAIN(TestEventPump)
#include "tst_eventpump.moc"
