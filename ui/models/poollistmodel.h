#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <algorithm>

// A list model whose rows are read and changed on pool threads (QtConcurrent::run and
// whenDone): the row count, whether work is in flight, and the last error, as the Targets,
// History and Settings pages show them. The work itself and the rows are the subclass's.
class PoolListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    // The last operation that failed, as one line; cleared when the next one starts.
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    virtual int count() const = 0;
    bool isBusy() const { return m_pending > 0; }
    QString error() const { return m_error; }

Q_SIGNALS:
    void countChanged();
    void busyChanged();
    void errorChanged();

protected:
    // Around each piece of work in flight: busy while any is.
    void begin();
    void end();
    void setError(const QString &error);
    // Replaces all rows (a model reset), telling QML when the count moves.
    template<typename Row>
    void resetRows(QList<Row> &rows, const QList<Row> &replacement)
    {
        const bool countMoves = replacement.size() != rows.size();
        beginResetModel();
        rows = replacement;
        endResetModel();
        if (countMoves)
            Q_EMIT countChanged();
    }

    // Replaces all rows; when the replacement has the same rows in the same places (by
    // `sameRow`, which compares keys), they change in place, so views keep their delegates, their
    // selection and any question open about a row. Else a reset.
    template<typename Row, typename SameRow>
    void replaceRows(QList<Row> &rows, const QList<Row> &replacement, SameRow sameRow)
    {
        if (replacement.isEmpty() || replacement.size() != rows.size() ||
            !std::equal(rows.cbegin(), rows.cend(), replacement.cbegin(), sameRow)) {
            resetRows(rows, replacement);
            return;
        }
        rows = replacement;
        Q_EMIT dataChanged(index(0), index(int(rows.size()) - 1));
    }

private:
    QString m_error;
    int m_pending = 0;
};
