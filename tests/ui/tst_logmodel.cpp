// The log model and its filter: a batch is one insertion in order, a million lines fit, the cap
// drops the oldest chunks, rows copy as text, and the filter follows text and level.

#include "models/logfiltermodel.h"
#include "models/logmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using slipway::LogEvent;
using slipway::LogLevel;

namespace {

constexpr qint64 BaseMs = 1'700'000'000'000;

LogEvent line(int n, LogLevel level = LogLevel::Info)
{
    return LogEvent{QDateTime::fromMSecsSinceEpoch(BaseMs + n, Qt::UTC), level, QStringLiteral("build"),
                    QString(), QStringLiteral("line %1").arg(n)};
}

QList<LogEvent> lines(int first, int count)
{
    QList<LogEvent> events;
    events.reserve(count);
    for (int n = first; n < first + count; ++n)
        events.append(line(n));
    return events;
}

QString textOf(const QAbstractItemModel &model, int row)
{
    return model.index(row, 0).data(LogModel::TextRole).toString();
}

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz"));
}

} // namespace

class TestLogModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchIsOneInsertionInOrder()
    {
        LogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy count(&model, &LogModel::countChanged);

        model.appendBatch(lines(0, 3));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);

        model.appendBatch(lines(3, 5));
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 3);
        QCOMPARE(inserted.at(1).at(2).toInt(), 7);
        QCOMPARE(count.size(), 2);

        model.appendBatch({});
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(model.count(), 8);
        for (int row = 0; row < 8; ++row)
            QCOMPARE(textOf(model, row), QStringLiteral("line %1").arg(row));
    }

    void roles()
    {
        LogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        const QDateTime time = QDateTime::fromMSecsSinceEpoch(BaseMs + 123, Qt::UTC);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        model.appendBatch({
            LogEvent{time, LogLevel::Warning, QStringLiteral("deploy"), QStringLiteral("prod"),
                     QStringLiteral("pulled")},
            LogEvent{time, LogLevel::Error, QStringLiteral("build"), QString(), QStringLiteral("failed")},
            LogEvent{QDateTime(), LogLevel::Debug, QString(), QString(), QStringLiteral("no time")},
        });
        const qint64 after = QDateTime::currentMSecsSinceEpoch();

        const QModelIndex first = model.index(0, 0);
        QCOMPARE(first.data(LogModel::TimeRole).toDateTime().toMSecsSinceEpoch(), BaseMs + 123);
        QCOMPARE(first.data(LogModel::TimeTextRole).toString(), timeText(BaseMs + 123));
        QCOMPARE(first.data(LogModel::LevelRole).toInt(), int(LogLevel::Warning));
        QCOMPARE(first.data(LogModel::LevelNameRole).toString(), QStringLiteral("warning"));
        QCOMPARE(first.data(LogModel::StageRole).toString(), QStringLiteral("deploy"));
        QCOMPARE(first.data(LogModel::TargetRole).toString(), QStringLiteral("prod"));
        QCOMPARE(first.data(LogModel::TextRole).toString(), QStringLiteral("pulled"));
        QCOMPARE(first.data().toString(), timeText(BaseMs + 123) + QStringLiteral("  [deploy/prod]  pulled"));

        const QModelIndex second = model.index(1, 0);
        QCOMPARE(second.data(LogModel::LevelNameRole).toString(), QStringLiteral("error"));
        QCOMPARE(second.data(LogModel::TargetRole).toString(), QString());
        QCOMPARE(second.data().toString(), timeText(BaseMs + 123) + QStringLiteral("  [build]  failed"));

        // A line posted without a time gets the time it arrived.
        const QModelIndex third = model.index(2, 0);
        const qint64 arrived = third.data(LogModel::TimeRole).toDateTime().toMSecsSinceEpoch();
        QVERIFY(arrived >= before && arrived <= after);
        QCOMPARE(third.data(LogModel::LevelNameRole).toString(), QStringLiteral("debug"));
        QCOMPARE(third.data().toString(), timeText(arrived) + QStringLiteral("  no time"));

        const QHash<int, QByteArray> names = model.roleNames();
        for (const char *name :
             {"display", "time", "timeText", "level", "levelName", "stage", "target", "text"})
            QVERIFY2(names.values().contains(QByteArray(name)), name);
        QCOMPARE(names.value(Qt::DisplayRole), QByteArray("display"));
    }

    void millionLinesInBatches()
    {
        constexpr int Batches = 101;
        constexpr int BatchSize = 10'000;
        LogModel model;
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int batch = 0; batch < Batches; ++batch)
            model.appendBatch(lines(batch * BatchSize, BatchSize));
        QCOMPARE(inserted.size(), Batches);
        QCOMPARE(model.rowCount(), Batches * BatchSize);
        QCOMPARE(model.droppedLines(), 0);

        // The tester walks every row on every signal: attached from the start it would make the
        // hundred batches quadratic, so it checks the full model once and then one more batch.
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.appendBatch(lines(Batches * BatchSize, BatchSize));
        const int total = (Batches + 1) * BatchSize;
        QCOMPARE(model.rowCount(), total);

        for (int row :
             {0, 1, LogModel::ChunkSize - 1, LogModel::ChunkSize, 500'000, 999'999, 1'000'000, total - 1}) {
            QCOMPARE(textOf(model, row), QStringLiteral("line %1").arg(row));
            QCOMPARE(model.index(row, 0).data(LogModel::TimeRole).toDateTime().toMSecsSinceEpoch(),
                     BaseMs + row);
            QCOMPARE(model.index(row, 0).data(LogModel::StageRole).toString(), QStringLiteral("build"));
        }
    }

    void capDropsTheOldestChunks()
    {
        constexpr int Chunk = LogModel::ChunkSize;
        LogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(model.maximumLines(), LogModel::DefaultMaximumLines);
        QVERIFY(LogModel::DefaultMaximumLines >= 1'000'000);
        model.setMaximumLines(10); // never below one chunk
        QCOMPARE(model.maximumLines(), Chunk);
        model.setMaximumLines(3 * Chunk);
        QCOMPARE(model.maximumLines(), 3 * Chunk);

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        int appended = 0;
        while (appended < 3 * Chunk) {
            const int size = std::min(1000, 3 * Chunk - appended);
            model.appendBatch(lines(appended, size));
            appended += size;
        }
        QCOMPARE(model.rowCount(), 3 * Chunk);
        QCOMPARE(removed.size(), 0);

        // One line past the cap: the whole oldest chunk goes, in one removal.
        model.appendBatch(lines(appended++, 1));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 0);
        QCOMPARE(removed.at(0).at(2).toInt(), Chunk - 1);
        QCOMPARE(model.rowCount(), 2 * Chunk + 1);
        QCOMPARE(model.droppedLines(), Chunk);
        QCOMPARE(textOf(model, 0), QStringLiteral("line %1").arg(Chunk));

        // A batch that overflows by more than a chunk drops several, still in one removal.
        model.appendBatch(lines(appended, 2 * Chunk + 10));
        appended += 2 * Chunk + 10;
        QCOMPARE(removed.size(), 2);
        QCOMPARE(removed.at(1).at(2).toInt(), 2 * Chunk - 1);
        QCOMPARE(model.rowCount(), appended - 3 * Chunk);
        QVERIFY(model.rowCount() <= model.maximumLines());
        QCOMPARE(textOf(model, 0), QStringLiteral("line %1").arg(3 * Chunk));
        QCOMPARE(textOf(model, model.rowCount() - 1), QStringLiteral("line %1").arg(appended - 1));

        // Lowering the cap trims at once; the chunk being filled stays.
        model.setMaximumLines(Chunk);
        QCOMPARE(removed.size(), 3);
        QCOMPARE(model.rowCount(), appended - 5 * Chunk);
        QCOMPARE(textOf(model, 0), QStringLiteral("line %1").arg(5 * Chunk));
        QCOMPARE(model.droppedLines(), 5 * Chunk);
    }

    void clearEmptiesTheModel()
    {
        LogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setMaximumLines(LogModel::ChunkSize);
        model.appendBatch(lines(0, 2 * LogModel::ChunkSize));
        QVERIFY(model.droppedLines() > 0);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.clear();
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.droppedLines(), 0);
        QCOMPARE(model.textOfRows(0, 10), QString());

        model.appendBatch(lines(7, 2));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(textOf(model, 0), QStringLiteral("line 7"));
        QCOMPARE(model.index(1, 0).data(LogModel::StageRole).toString(), QStringLiteral("build"));
    }

    void textOfRowsForCopy()
    {
        LogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.appendBatch(lines(0, 3));
        const auto display = [&](int row) { return model.index(row, 0).data().toString(); };
        const QString all = display(0) + u'\n' + display(1) + u'\n' + display(2);
        QCOMPARE(model.textOfRows(0, 2), all);
        QCOMPARE(model.textOfRows(-5, 99), all);
        QCOMPARE(model.textOfRows(1, 1), display(1));
        QCOMPARE(model.textOfRows(2, 1), QString());
        QVERIFY(display(1).endsWith(QStringLiteral("  [build]  line 1")));
    }

    void filterByTextAndLevel()
    {
        LogModel model;
        LogFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
        const auto event = [](LogLevel level, const char *text) {
            return LogEvent{QDateTime::currentDateTimeUtc(), level, QStringLiteral("build"), QString(),
                            QString::fromUtf8(text)};
        };
        model.appendBatch({
            event(LogLevel::Info, "Pulling base image"),
            event(LogLevel::Debug, "COPY src /app"),
            event(LogLevel::Warning, "cache MISS for layer 2"),
            event(LogLevel::Error, "Push denied: unauthorized"),
            event(LogLevel::Info, "pulling layer 3"),
        });
        QCOMPARE(filter.rowCount(), 5);

        QSignalSpy textChanged(&filter, &LogFilterModel::filterTextChanged);
        filter.setFilterText(QStringLiteral("PULL"));
        QCOMPARE(textChanged.size(), 1);
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(textOf(filter, 0), QStringLiteral("Pulling base image"));
        QCOMPARE(textOf(filter, 1), QStringLiteral("pulling layer 3"));
        QCOMPARE(filter.textOfRows(0, 1), model.textOfRows(0, 0) + u'\n' + model.textOfRows(4, 4));

        filter.setFilterText(QString());
        filter.setMinimumLevel(int(LogLevel::Warning));
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(textOf(filter, 0), QStringLiteral("cache MISS for layer 2"));

        filter.setFilterText(QStringLiteral("push"));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.count(), 1);

        // Lines arriving later are filtered as they come.
        model.appendBatch({event(LogLevel::Error, "push retry 1"), event(LogLevel::Info, "push ok")});
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(textOf(filter, 1), QStringLiteral("push retry 1"));

        filter.setMinimumLevel(int(LogLevel::Debug));
        QCOMPARE(filter.rowCount(), 3);
        model.clear();
        QCOMPARE(filter.rowCount(), 0);
    }

    void filterOverManyLines()
    {
        LogModel model;
        LogFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
        filter.setFilterText(QStringLiteral("99"));
        for (int batch = 0; batch < 5; ++batch)
            model.appendBatch(lines(batch * 10'000, 10'000));
        int expected = 0;
        for (int n = 0; n < 50'000; ++n)
            expected += QString::number(n).contains(QStringLiteral("99")) ? 1 : 0;
        QCOMPARE(filter.rowCount(), expected);
        QCOMPARE(textOf(filter, 0), QStringLiteral("line 99"));
        QCOMPARE(textOf(filter, expected - 1), QStringLiteral("line 49999"));
    }
};

QTEST_MAIN(TestLogModel)
#include "tst_logmodel.moc"
