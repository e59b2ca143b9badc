#pragma once

#include "events/event.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>
#include <QtQml/qqmlregistration.h>

#include <deque>
#include <vector>

// The live log: every line the event stream delivered, oldest first. Built to hold millions of
// lines: lines live in fixed chunks of compact structs, each chunk keeping the text of its lines in
// one string, so a line costs one struct and its characters; no QObject and no allocation per line.
// A batch is one row insertion; past maximumLines the oldest whole chunks go in one removal.
// Not final: QML_ELEMENT derives from it.
class LogModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made by the app")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int maximumLines READ maximumLines WRITE setMaximumLines NOTIFY maximumLinesChanged)
    Q_PROPERTY(qint64 droppedLines READ droppedLines NOTIFY countChanged)

public:
    enum Roles
    {
        TimeRole = Qt::UserRole + 1, // QDateTime, local time
        TimeTextRole,                // "HH:mm:ss.zzz"
        LevelRole,                   // int, slipway::LogLevel
        LevelNameRole,               // "debug", "info", "warning", "error"
        StageRole,
        TargetRole,
        TextRole,
    };
    Q_ENUM(Roles)

    static constexpr int ChunkSize = 4096;
    static constexpr int DefaultMaximumLines = 2'000'000;

    explicit LogModel(QObject *parent = nullptr);
    ~LogModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return m_count; }
    // Lines dropped from the front since the last clear() to stay under maximumLines.
    qint64 droppedLines() const { return m_dropped; }

    // At least ChunkSize; lowering it below count() drops the oldest chunks at once.
    int maximumLines() const { return m_maximumLines; }
    void setMaximumLines(int lines);

    // Appends every line of the batch in one row insertion. A line without a time gets the time
    // it arrives.
    void appendBatch(const QList<slipway::LogEvent> &events);
    Q_INVOKABLE void clear();

    // The display text of rows first..last (inclusive, clamped), one line each, for the clipboard.
    Q_INVOKABLE QString textOfRows(int first, int last) const;

    // Direct access for LogFilterModel and textOfRows: no QVariant, no copy. row must be valid.
    slipway::LogLevel levelAt(int row) const;
    QStringView textAt(int row) const;
    QString displayTextAt(int row) const;

    static QString levelName(slipway::LogLevel level);

Q_SIGNALS:
    void countChanged();
    void maximumLinesChanged();

private:
    // 32 bytes; the text is textLength characters at textOffset in the chunk's text.
    struct Line
    {
        qint64 timeMs = 0;
        quint32 textOffset = 0;
        quint32 textLength = 0;
        quint32 stage = 0;  // index in m_names
        quint32 target = 0; // index in m_names
        quint8 level = 0;
    };
    struct Chunk
    {
        std::vector<Line> lines; // capacity ChunkSize, never reallocated
        QString text;
    };

    const Line &lineAt(int row) const;
    const Chunk &chunkOf(int row) const { return m_chunks[size_t(row / ChunkSize)]; }
    quint32 nameId(const QString &name, quint32 &last);
    void trim();

    std::deque<Chunk> m_chunks; // all full but the last
    int m_count = 0;
    qint64 m_dropped = 0;
    int m_maximumLines = DefaultMaximumLines;

    // Stages and targets repeat on every line: each distinct one is kept once.
    QStringList m_names;
    QHash<QString, quint32> m_nameIds;
    quint32 m_lastStage = 0;
    quint32 m_lastTarget = 0;
};
