#include "models/logmodel.h"

#include <QDateTime>
#include <QStringBuilder>
#include <QTime>

#include <algorithm>

using slipway::LogLevel;

namespace {

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).time().toString(u"HH:mm:ss.zzz");
}

} // namespace

LogModel::LogModel(QObject *parent)
    : QAbstractListModel(parent)
    , m_names{QString()}
{}

LogModel::~LogModel() = default;

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_count;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= m_count)
        return {};
    const int row = index.row();
    const Line &line = lineAt(row);
    switch (role) {
    case Qt::DisplayRole:
        return displayTextAt(row);
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(line.timeMs);
    case TimeTextRole:
        return timeText(line.timeMs);
    case LevelRole:
        return int(line.level);
    case LevelNameRole:
        return levelName(LogLevel(line.level));
    case StageRole:
        return m_names.at(line.stage);
    case TargetRole:
        return m_names.at(line.target);
    case TextRole:
        return textAt(row).toString();
    default:
        return {};
    }
}

QHash<int, QByteArray> LogModel::roleNames() const
{
    return {
        {Qt::DisplayRole, "display"}, {TimeRole, "time"},   {TimeTextRole, "timeText"}, {LevelRole, "level"},
        {LevelNameRole, "levelName"}, {StageRole, "stage"}, {TargetRole, "target"},     {TextRole, "text"},
    };
}

void LogModel::setMaximumLines(int lines)
{
    lines = std::max(lines, int(ChunkSize));
    if (lines == m_maximumLines)
        return;
    m_maximumLines = lines;
    Q_EMIT maximumLinesChanged();
    trim();
}

void LogModel::appendBatch(const QList<slipway::LogEvent> &events)
{
    if (events.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    beginInsertRows(QModelIndex(), m_count, m_count + int(events.size()) - 1);
    for (const slipway::LogEvent &event : events) {
        if (m_chunks.empty() || m_chunks.back().lines.size() == size_t(ChunkSize)) {
            // A full chunk's text stops growing: give back the spare capacity once.
            if (!m_chunks.empty())
                m_chunks.back().text.squeeze();
            m_chunks.emplace_back();
            m_chunks.back().lines.reserve(ChunkSize);
        }
        Chunk &chunk = m_chunks.back();
        Line line;
        line.timeMs = event.time.isValid() ? event.time.toMSecsSinceEpoch() : now;
        line.textOffset = quint32(chunk.text.size());
        line.textLength = quint32(event.text.size());
        line.stage = nameId(event.stage, m_lastStage);
        line.target = nameId(event.target, m_lastTarget);
        line.level = quint8(event.level);
        chunk.text.append(event.text);
        chunk.lines.push_back(line);
    }
    m_count += int(events.size());
    endInsertRows();
    Q_EMIT countChanged();
    trim();
}

void LogModel::clear()
{
    beginResetModel();
    m_chunks.clear();
    m_count = 0;
    m_dropped = 0;
    m_names = {QString()};
    m_nameIds.clear();
    m_lastStage = m_lastTarget = 0;
    endResetModel();
    Q_EMIT countChanged();
}

QString LogModel::textOfRows(int first, int last) const
{
    first = std::max(first, 0);
    last = std::min(last, m_count - 1);
    QString text;
    for (int row = first; row <= last; ++row) {
        if (row > first)
            text += u'\n';
        text += displayTextAt(row);
    }
    return text;
}

LogLevel LogModel::levelAt(int row) const
{
    return LogLevel(lineAt(row).level);
}

QStringView LogModel::textAt(int row) const
{
    const Line &line = lineAt(row);
    return QStringView(chunkOf(row).text).mid(line.textOffset, line.textLength);
}

QString LogModel::displayTextAt(int row) const
{
    const Line &line = lineAt(row);
    const QString &stage = m_names.at(line.stage);
    const QString &target = m_names.at(line.target);
    const QStringView text = textAt(row);
    // A deploy line names its target too, since several targets' lines interleave.
    if (!target.isEmpty())
        return timeText(line.timeMs) % u"  [" % stage % u'/' % target % u"]  " % text;
    if (!stage.isEmpty())
        return timeText(line.timeMs) % u"  [" % stage % u"]  " % text;
    return timeText(line.timeMs) % u"  " % text;
}

QString LogModel::levelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return QStringLiteral("debug");
    case LogLevel::Info:
        return QStringLiteral("info");
    case LogLevel::Warning:
        return QStringLiteral("warning");
    case LogLevel::Error:
        return QStringLiteral("error");
    }
    return {};
}

const LogModel::Line &LogModel::lineAt(int row) const
{
    return chunkOf(row).lines[size_t(row % ChunkSize)];
}

// Consecutive lines mostly share their stage and target: comparing with the last one found is
// much cheaper than hashing.
quint32 LogModel::nameId(const QString &name, quint32 &last)
{
    if (name.isEmpty())
        return 0;
    if (m_names.at(last) == name)
        return last;
    const auto found = m_nameIds.constFind(name);
    if (found != m_nameIds.constEnd())
        return last = *found;
    const auto id = quint32(m_names.size());
    m_names.append(name);
    m_nameIds.insert(name, id);
    return last = id;
}

// Drops whole chunks from the front, all in one removal, until the lines fit; the chunk being
// filled always stays.
void LogModel::trim()
{
    int lines = 0;
    size_t chunks = 0;
    while (m_count - lines > m_maximumLines && chunks + 1 < m_chunks.size()) {
        lines += int(m_chunks[chunks].lines.size());
        ++chunks;
    }
    if (lines == 0)
        return;
    beginRemoveRows(QModelIndex(), 0, lines - 1);
    m_chunks.erase(m_chunks.begin(), m_chunks.begin() + qsizetype(chunks));
    m_count -= lines;
    m_dropped += lines;
    endRemoveRows();
    Q_EMIT countChanged();
}
