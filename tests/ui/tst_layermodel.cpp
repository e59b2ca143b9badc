// The layer model: rows appear in index order as layers are first seen, change in place with
// one dataChanged per batch naming the roles that changed, and show progress and digests.

#include "models/layermodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using slipway::LayerEvent;
using slipway::LayerState;

namespace {

const QString Digest =
    QStringLiteral("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

LayerEvent layer(int index, LayerState state, qint64 files = 0, qint64 filesDone = 0, QString name = {})
{
    LayerEvent event;
    event.index = index;
    event.name = name.isNull() ? QStringLiteral("layer %1").arg(index) : name;
    event.state = state;
    event.files = files;
    event.filesDone = filesDone;
    return event;
}

QList<int> layerIndexes(const LayerModel &model)
{
    QList<int> indexes;
    for (int row = 0; row < model.rowCount(); ++row)
        indexes.append(model.index(row, 0).data(LayerModel::LayerIndexRole).toInt());
    return indexes;
}

QList<int> rolesOf(const QList<QVariant> &dataChanged)
{
    QList<int> roles = dataChanged.at(2).value<QList<int>>();
    std::sort(roles.begin(), roles.end());
    return roles;
}

} // namespace

class TestLayerModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newIndexesAreInsertedInOrder()
    {
        LayerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        model.applyBatch(
            {layer(2, LayerState::Queued), layer(0, LayerState::Queued), layer(1, LayerState::Queued)});
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 2);
        QCOMPARE(layerIndexes(model), QList<int>({0, 1, 2}));
        QCOMPARE(model.index(1, 0).data(LayerModel::NameRole).toString(), QStringLiteral("layer 1"));
        QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("layer 1"));

        model.applyBatch({layer(5, LayerState::Queued), layer(3, LayerState::Queued)});
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 3);
        QCOMPARE(inserted.at(1).at(2).toInt(), 4);
        QCOMPARE(layerIndexes(model), QList<int>({0, 1, 2, 3, 5}));

        // A gap filled later lands between its neighbours.
        model.applyBatch({layer(4, LayerState::Queued), layer(7, LayerState::Queued)});
        QCOMPARE(inserted.size(), 4);
        QCOMPARE(inserted.at(2).at(1).toInt(), 4);
        QCOMPARE(inserted.at(3).at(1).toInt(), 6);
        QCOMPARE(layerIndexes(model), QList<int>({0, 1, 2, 3, 4, 5, 7}));
        QCOMPARE(model.count(), 7);
    }

    void stateTransitionsAndProgress()
    {
        LayerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.applyBatch({layer(0, LayerState::Queued, 200, 0, QStringLiteral("base"))});
        const QModelIndex row = model.index(0, 0);
        QCOMPARE(row.data(LayerModel::StateRole).toInt(), int(LayerState::Queued));
        QCOMPARE(row.data(LayerModel::StateNameRole).toString(), QStringLiteral("queued"));
        QCOMPARE(row.data(LayerModel::ProgressRole).toDouble(), 0.0);
        QCOMPARE(row.data(LayerModel::CachedRole).toBool(), false);
        QCOMPARE(row.data(LayerModel::ShortDigestRole).toString(), QString());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        LayerEvent building = layer(0, LayerState::Building, 200, 50);
        building.name.clear(); // progress events may leave the name out
        building.bytesIn = 4096;
        model.applyBatch({building});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(rolesOf(changed.at(0)),
                 QList<int>({LayerModel::StateRole, LayerModel::StateNameRole, LayerModel::FilesDoneRole,
                             LayerModel::BytesInRole, LayerModel::ProgressRole}));
        QCOMPARE(row.data(LayerModel::NameRole).toString(), QStringLiteral("base"));
        QCOMPARE(row.data(LayerModel::StateNameRole).toString(), QStringLiteral("building"));
        QCOMPARE(row.data(LayerModel::FilesRole).toLongLong(), 200);
        QCOMPARE(row.data(LayerModel::FilesDoneRole).toLongLong(), 50);
        QCOMPARE(row.data(LayerModel::BytesInRole).toLongLong(), 4096);
        QCOMPARE(row.data(LayerModel::ProgressRole).toDouble(), 0.25);

        // Several events for one layer in a batch: the last wins, announced once.
        QList<LayerEvent> batch;
        for (qint64 done : {100, 150, 200}) {
            LayerEvent event = layer(0, LayerState::Building, 200, done, QStringLiteral("base"));
            event.bytesIn = done * 100;
            event.bytesOut = done * 40;
            batch.append(event);
        }
        batch.last().state = LayerState::Done;
        batch.last().digest = Digest;
        model.applyBatch(batch);
        QCOMPARE(changed.size(), 2);
        QVERIFY(!rolesOf(changed.at(1)).contains(LayerModel::NameRole));
        QVERIFY(rolesOf(changed.at(1)).contains(LayerModel::ShortDigestRole));
        QCOMPARE(row.data(LayerModel::StateNameRole).toString(), QStringLiteral("done"));
        QCOMPARE(row.data(LayerModel::ProgressRole).toDouble(), 1.0);
        QCOMPARE(row.data(LayerModel::BytesInRole).toLongLong(), 20000);
        QCOMPARE(row.data(LayerModel::BytesOutRole).toLongLong(), 8000);
        QCOMPARE(row.data(LayerModel::DigestRole).toString(), Digest);
        QCOMPARE(row.data(LayerModel::ShortDigestRole).toString(), QStringLiteral("0123456789ab"));

        // The same state again changes nothing; a later event without a digest keeps it.
        LayerEvent again = batch.last();
        again.digest.clear();
        model.applyBatch({again});
        QCOMPARE(changed.size(), 2);
        QCOMPARE(row.data(LayerModel::DigestRole).toString(), Digest);

        // A cache hit has no files to write and is complete.
        LayerEvent cached = layer(1, LayerState::Cached);
        cached.cached = true;
        cached.digest = Digest;
        model.applyBatch({cached});
        QCOMPARE(model.index(1, 0).data(LayerModel::ProgressRole).toDouble(), 1.0);
        QCOMPARE(model.index(1, 0).data(LayerModel::CachedRole).toBool(), true);
        QCOMPARE(model.index(1, 0).data(LayerModel::StateNameRole).toString(), QStringLiteral("cached"));

        LayerEvent failed = layer(1, LayerState::Failed);
        model.applyBatch({failed});
        QCOMPARE(model.index(1, 0).data(LayerModel::StateNameRole).toString(), QStringLiteral("failed"));
        QCOMPARE(model.index(1, 0).data(LayerModel::ProgressRole).toDouble(), 0.0);
        model.applyBatch({layer(1, LayerState::Cancelled)});
        QCOMPARE(model.index(1, 0).data(LayerModel::StateNameRole).toString(), QStringLiteral("cancelled"));
    }

    void changesAreCoalescedPerBatch()
    {
        LayerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.applyBatch({layer(0, LayerState::Queued, 10), layer(1, LayerState::Queued, 10),
                          layer(2, LayerState::Queued, 10), layer(3, LayerState::Queued, 10)});
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // Rows 0 and 1 are adjacent: one signal for both; row 3 its own; layer 4 is new.
        model.applyBatch({layer(1, LayerState::Building, 10, 2), layer(0, LayerState::Building, 10, 1),
                          layer(3, LayerState::Building, 10), layer(4, LayerState::Queued, 10),
                          layer(0, LayerState::Building, 10, 3)});
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 4);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 0);
        QCOMPARE(changed.at(0).at(1).value<QModelIndex>().row(), 1);
        QCOMPARE(rolesOf(changed.at(0)), QList<int>({LayerModel::StateRole, LayerModel::StateNameRole,
                                                     LayerModel::FilesDoneRole, LayerModel::ProgressRole}));
        QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 3);
        QCOMPARE(changed.at(1).at(1).value<QModelIndex>().row(), 3);
        QCOMPARE(rolesOf(changed.at(1)), QList<int>({LayerModel::StateRole, LayerModel::StateNameRole}));
        QCOMPARE(model.index(0, 0).data(LayerModel::FilesDoneRole).toLongLong(), 3);
        QCOMPARE(model.index(0, 0).data(LayerModel::ProgressRole).toDouble(), 0.3);
    }

    void clearEmptiesTheModel()
    {
        LayerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.applyBatch({layer(0, LayerState::Done), layer(1, LayerState::Building)});
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.clear();
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 0);
        model.applyBatch({layer(3, LayerState::Queued)});
        QCOMPARE(layerIndexes(model), QList<int>({3}));
    }

    void namesAndDigests()
    {
        LayerModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QCOMPARE(LayerModel::shortDigest(Digest), QStringLiteral("0123456789ab"));
        QCOMPARE(LayerModel::shortDigest(QStringLiteral("abcdef")), QStringLiteral("abcdef"));
        QCOMPARE(LayerModel::shortDigest(QString()), QString());
        const QHash<int, QByteArray> names = model.roleNames();
        for (const char *name : {"name", "state", "stateName", "files", "filesDone", "bytesIn", "bytesOut",
                                 "progress", "cached", "digest", "shortDigest"})
            QVERIFY2(names.values().contains(QByteArray(name)), name);
    }
};

QTEST_MAIN(TestLayerModel)
#include "tst_layermodel.moc"
