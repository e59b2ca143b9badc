#include "models/layermodel.h"

#include <algorithm>
#include <climits>
#include <map>

using slipway::LayerEvent;
using slipway::LayerState;

namespace {

double progressOf(const LayerEvent &layer)
{
    if (layer.files > 0)
        return std::clamp(double(layer.filesDone) / double(layer.files), 0.0, 1.0);
    return layer.state == LayerState::Done || layer.state == LayerState::Cached ? 1.0 : 0.0;
}

// The roles that differ between what a row shows now and what it will show.
QList<int> changedRoles(const LayerEvent &before, const LayerEvent &after)
{
    QList<int> roles;
    if (before.name != after.name)
        roles << Qt::DisplayRole << LayerModel::NameRole;
    if (before.state != after.state)
        roles << LayerModel::StateRole << LayerModel::StateNameRole;
    if (before.files != after.files)
        roles << LayerModel::FilesRole;
    if (before.filesDone != after.filesDone)
        roles << LayerModel::FilesDoneRole;
    if (before.bytesIn != after.bytesIn)
        roles << LayerModel::BytesInRole;
    if (before.bytesOut != after.bytesOut)
        roles << LayerModel::BytesOutRole;
    if (progressOf(before) != progressOf(after))
        roles << LayerModel::ProgressRole;
    if (before.cached != after.cached)
        roles << LayerModel::CachedRole;
    if (before.digest != after.digest)
        roles << LayerModel::DigestRole << LayerModel::ShortDigestRole;
    return roles;
}

} // namespace

LayerModel::LayerModel(QObject *parent)
    : QAbstractListModel(parent)
{}

int LayerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant LayerModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const LayerEvent &layer = m_layers[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return layer.name;
    case LayerIndexRole:
        return layer.index;
    case StateRole:
        return int(layer.state);
    case StateNameRole:
        return stateName(layer.state);
    case FilesRole:
        return layer.files;
    case FilesDoneRole:
        return layer.filesDone;
    case BytesInRole:
        return layer.bytesIn;
    case BytesOutRole:
        return layer.bytesOut;
    case ProgressRole:
        return progressOf(layer);
    case CachedRole:
        return layer.cached;
    case DigestRole:
        return layer.digest;
    case ShortDigestRole:
        return shortDigest(layer.digest);
    default:
        return {};
    }
}

QHash<int, QByteArray> LayerModel::roleNames() const
{
    return {
        {Qt::DisplayRole, "display"},
        {LayerIndexRole, "layerIndex"},
        {NameRole, "name"},
        {StateRole, "state"},
        {StateNameRole, "stateName"},
        {FilesRole, "files"},
        {FilesDoneRole, "filesDone"},
        {BytesInRole, "bytesIn"},
        {BytesOutRole, "bytesOut"},
        {ProgressRole, "progress"},
        {CachedRole, "cached"},
        {DigestRole, "digest"},
        {ShortDigestRole, "shortDigest"},
    };
}

void LayerModel::applyBatch(const QList<LayerEvent> &events)
{
    if (events.isEmpty())
        return;

    const auto rowOf = [this](int layerIndex) {
        return int(std::lower_bound(m_layers.begin(), m_layers.end(), layerIndex,
                                    [](const LayerEvent &layer, int index) { return layer.index < index; }) -
                   m_layers.begin());
    };
    const auto keepKnown = [](LayerEvent &layer, const LayerEvent &known) {
        if (layer.name.isEmpty())
            layer.name = known.name;
        if (layer.digest.isEmpty())
            layer.digest = known.digest;
    };

    // The last event per index wins, in index order.
    std::map<int, LayerEvent> latest;
    for (const LayerEvent &event : events) {
        const auto [found, added] = latest.try_emplace(event.index, event);
        if (!added) {
            LayerEvent merged = event;
            keepKnown(merged, found->second);
            found->second = std::move(merged);
        }
    }

    const int countBefore = count();
    // New indexes first: each run of them that lands before the same existing row is one insertion.
    for (auto it = latest.begin(); it != latest.end();) {
        const int row = rowOf(it->first);
        if (row < count() && m_layers[size_t(row)].index == it->first) {
            ++it;
            continue;
        }
        const int limit = row < count() ? m_layers[size_t(row)].index : INT_MAX;
        std::vector<LayerEvent> run;
        for (; it != latest.end() && it->first < limit; ++it)
            run.push_back(it->second);
        beginInsertRows(QModelIndex(), row, row + int(run.size()) - 1);
        m_layers.insert(m_layers.begin() + row, std::make_move_iterator(run.begin()),
                        std::make_move_iterator(run.end()));
        endInsertRows();
    }

    // Then the changes in place; adjacent changed rows are announced together.
    int first = -1;
    int last = -1;
    QList<int> roles;
    const auto announce = [&] {
        if (first < 0)
            return;
        std::sort(roles.begin(), roles.end());
        roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
        Q_EMIT dataChanged(index(first), index(last), roles);
        first = last = -1;
        roles.clear();
    };
    for (auto &[layerIndex, event] : latest) {
        const int row = rowOf(layerIndex);
        LayerEvent &layer = m_layers[size_t(row)];
        keepKnown(event, layer);
        const QList<int> changed = changedRoles(layer, event);
        if (changed.isEmpty())
            continue;
        layer = std::move(event);
        if (first >= 0 && row != last + 1)
            announce();
        if (first < 0)
            first = row;
        last = row;
        roles += changed;
    }
    announce();
    if (count() != countBefore)
        Q_EMIT countChanged();
}

void LayerModel::clear()
{
    beginResetModel();
    m_layers.clear();
    endResetModel();
    Q_EMIT countChanged();
}

QString LayerModel::stateName(LayerState state)
{
    return layerStateName(state);
}

QString LayerModel::shortDigest(const QString &digest)
{
    const qsizetype colon = digest.indexOf(u':');
    return digest.mid(colon + 1, 12);
}
