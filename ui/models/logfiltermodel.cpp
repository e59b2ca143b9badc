#include "models/logfiltermodel.h"

#include "models/logmodel.h"

#include <algorithm>

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    m_matcher.setCaseSensitivity(Qt::CaseInsensitive);
    connect(this, &QAbstractItemModel::rowsInserted, this, &LogFilterModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &LogFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &LogFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &LogFilterModel::countChanged);
}

void LogFilterModel::setSourceModel(QAbstractItemModel *model)
{
    m_log = qobject_cast<LogModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void LogFilterModel::setFilterText(const QString &text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    m_matcher.setPattern(text);
    refilter();
    updateView();
    Q_EMIT filterTextChanged();
}

void LogFilterModel::setMinimumLevel(int level)
{
    if (level == m_minimumLevel)
        return;
    m_minimumLevel = level;
    refilter();
    updateView();
    Q_EMIT minimumLevelChanged();
}

// invalidateFilter() announces every run of rows that comes or goes, and updates its mapping
// for each: over a million lines that took about a second. Rebuilding the mapping is one pass over the
// lines, announced as one layout change.
void LogFilterModel::refilter()
{
    invalidate();
}

void LogFilterModel::setLog(LogModel *log)
{
    m_viewLog = log;
    m_filtering = false;
    updateView();
    Q_EMIT viewModelChanged();
}

QAbstractItemModel *LogFilterModel::viewModel() const
{
    return m_filtering ? static_cast<QAbstractItemModel *>(const_cast<LogFilterModel *>(this))
                       : static_cast<QAbstractItemModel *>(m_viewLog.data());
}

QString LogFilterModel::viewText(int first, int last) const
{
    if (m_filtering || !m_viewLog)
        return textOfRows(first, last);
    return m_viewLog->textOfRows(first, last);
}

void LogFilterModel::updateView()
{
    if (!m_viewLog)
        return;
    const bool filtering = !m_filterText.isEmpty() || m_minimumLevel > 0;
    if (filtering == m_filtering)
        return;
    m_filtering = filtering;
    setSourceModel(filtering ? m_viewLog.data() : nullptr);
    Q_EMIT viewModelChanged();
}

QString LogFilterModel::textOfRows(int first, int last) const
{
    first = std::max(first, 0);
    last = std::min(last, rowCount() - 1);
    QString text;
    for (int row = first; row <= last; ++row) {
        if (row > first)
            text += u'\n';
        const QModelIndex source = mapToSource(index(row, 0));
        text += m_log ? m_log->displayTextAt(source.row()) : source.data().toString();
    }
    return text;
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_log) {
        if (int(m_log->levelAt(sourceRow)) < m_minimumLevel)
            return false;
        return m_filterText.isEmpty() || m_matcher.indexIn(m_log->textAt(sourceRow)) >= 0;
    }
    // Any other list model with the same roles: slower, but the same rule.
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(LogModel::LevelRole).toInt() < m_minimumLevel)
        return false;
    return m_filterText.isEmpty() || m_matcher.indexIn(index.data(LogModel::TextRole).toString()) >= 0;
}
