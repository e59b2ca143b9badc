#pragma once

#include <QPointer>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringMatcher>
#include <QtQml/qqmlregistration.h>

class LogModel;

// The log as the user filters it: lines at or above minimumLevel whose text contains filterText,
// ignoring case. Over a LogModel it reads the lines' text in place and matches with one prepared
// matcher, never a regular expression or a QVariant per row.
// Not final: QML_ELEMENT derives from it.
class LogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString filterText READ filterText WRITE setFilterText NOTIFY filterTextChanged)
    Q_PROPERTY(int minimumLevel READ minimumLevel WRITE setMinimumLevel NOTIFY minimumLevelChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit LogFilterModel(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;

    QString filterText() const { return m_filterText; }
    void setFilterText(const QString &text);
    int minimumLevel() const { return m_minimumLevel; } // a slipway::LogLevel
    void setMinimumLevel(int level);
    int count() const { return rowCount(); }

    // The display text of the filtered rows first..last (inclusive, clamped), for the clipboard.
    Q_INVOKABLE QString textOfRows(int first, int last) const;

    // The log a view shows through this filter. It is attached as the source only while a
    // filter is set: a proxy over two million lines pays for its mapping on every batch and
    // every trimmed chunk, for nothing when it passes all.
    void setLog(LogModel *log);
    // What a view shows: this model while a filter is set, else the log itself.
    QAbstractItemModel *viewModel() const;
    // The display text of rows first..last of viewModel(), for the clipboard.
    QString viewText(int first, int last) const;

Q_SIGNALS:
    void filterTextChanged();
    void minimumLevelChanged();
    void countChanged();
    void viewModelChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void refilter();
    void updateView();

    QPointer<LogModel> m_log;
    QString m_filterText;
    QStringMatcher m_matcher;
    int m_minimumLevel = 0;
    QPointer<LogModel> m_viewLog; // setLog()'s
    bool m_filtering = false;     // attached to m_viewLog
};
