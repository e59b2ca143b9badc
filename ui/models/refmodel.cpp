#include "models/refmodel.h"

#include "models/whendone.h"

#include <QDateTime>
#include <QtConcurrent/QtConcurrentRun>

using slipway::GitRef;

RefModel::RefModel(QObject *parent)
    : QAbstractListModel(parent)
{}

RefModel::~RefModel()
{
    m_stop.request_stop();
}

int RefModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant RefModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const GitRef &ref = m_refs.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return ref.name;
    case KindRole:
        return ref.kind == GitRef::Kind::Branch ? QStringLiteral("branch") : QStringLiteral("tag");
    case CommitRole:
        return ref.commit;
    case ShortCommitRole:
        return ref.commit.left(7);
    case SummaryRole:
        return ref.summary;
    case AuthorRole:
        return ref.author;
    case TimeRole:
        return QDateTime::fromSecsSinceEpoch(ref.time);
    case DefaultRole:
        return ref.isDefault;
    default:
        return {};
    }
}

QHash<int, QByteArray> RefModel::roleNames() const
{
    return {{NameRole, "name"},       {KindRole, "kind"},
            {CommitRole, "commit"},   {ShortCommitRole, "shortCommit"},
            {SummaryRole, "summary"}, {AuthorRole, "author"},
            {TimeRole, "time"},       {DefaultRole, "isDefault"}};
}

void RefModel::load(const QString &location, const QString &cacheDir)
{
    m_stop.request_stop();
    m_stop = std::stop_source();
    const quint64 generation = ++m_generation;
    if (location.isEmpty()) {
        clear();
        setError({});
        setLoading(false);
        return;
    }
    setLoading(true);
    slipway::SourceOptions options;
    options.location = location;
    options.cacheDir = cacheDir;
    options.stop = m_stop.get_token();
    whenDone(this, QtConcurrent::run([options] { return slipway::listRefs(options); }),
             [this, generation](const slipway::Result<QList<GitRef>> &refs) {
                 if (generation != m_generation)
                     return; // a newer load() is on its way
                 if (refs) {
                     setRefs(refs.value());
                     setError({});
                 } else {
                     clear();
                     setError(refs.error().message);
                 }
                 setLoading(false);
                 Q_EMIT loaded();
             });
}

void RefModel::setRefs(const QList<GitRef> &refs)
{
    beginResetModel();
    m_refs = refs;
    endResetModel();
    Q_EMIT countChanged();
}

void RefModel::clear()
{
    if (m_refs.isEmpty())
        return;
    setRefs({});
}

QString RefModel::nameAt(int row) const
{
    return row >= 0 && row < count() ? m_refs.at(row).name : QString();
}

int RefModel::indexOf(const QString &name) const
{
    for (int row = 0; row < count(); ++row)
        if (m_refs.at(row).name == name)
            return row;
    return -1;
}

void RefModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged();
}

void RefModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}
