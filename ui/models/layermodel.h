#pragma once

#include "events/event.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <vector>

// The layers of the image being built: one row per layer index, in index order, updated in
// place from batches of LayerEvents. Each event is the layer's state so far; the last one in a
// batch wins, and each changed row is announced once per batch with the roles that changed.
// Not final: QML_ELEMENT derives from it.
class LayerModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made by the app")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Roles
    {
        LayerIndexRole = Qt::UserRole + 1, // the layer's index in the spec
        NameRole,
        StateRole, // int, slipway::LayerState
        StateNameRole,
        FilesRole,
        FilesDoneRole,
        BytesInRole,
        BytesOutRole,
        ProgressRole, // 0..1, filesDone / files
        CachedRole,
        DigestRole,
        ShortDigestRole, // the first 12 hex digits
    };
    Q_ENUM(Roles)

    explicit LayerModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_layers.size()); }

    // Applies a batch: rows for new indexes are inserted in index order, existing rows change in
    // place. An event without a name or digest keeps the one already known.
    void applyBatch(const QList<slipway::LayerEvent> &events);
    Q_INVOKABLE void clear();

    static QString stateName(slipway::LayerState state);
    static QString shortDigest(const QString &digest);

Q_SIGNALS:
    void countChanged();

private:
    std::vector<slipway::LayerEvent> m_layers; // sorted by index, one per index
};
