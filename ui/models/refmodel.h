#pragma once

#include "source/refs.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <stop_token>

// The branches and tags of the project's repository for the ref picker: name, kind, commit and
// its summary, author and time. load() lists them on a pool thread (a URL is fetched into its
// mirror first) and the rows are replaced on this object's thread when the list arrives; a
// newer load() or the model's end cancels an older one, whose answer is then ignored.
// Not final: QML_ELEMENT derives from it.
class RefModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made by the DeployController")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool loading READ isLoading NOTIFY loadingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    enum Roles
    {
        NameRole = Qt::UserRole + 1,
        KindRole, // "branch" or "tag"
        CommitRole,
        ShortCommitRole, // 7 hex digits
        SummaryRole,
        AuthorRole,
        TimeRole, // QDateTime
        DefaultRole,
    };
    Q_ENUM(Roles)

    explicit RefModel(QObject *parent = nullptr);
    ~RefModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_refs.size()); }
    bool isLoading() const { return m_loading; }
    QString error() const { return m_error; }

    // Lists the refs of `location` off this thread; cacheDir holds URL mirrors.
    void load(const QString &location, const QString &cacheDir);
    // Replaces the rows (what load() does when its answer arrives).
    void setRefs(const QList<slipway::GitRef> &refs);
    Q_INVOKABLE void clear();

    // The row's name, or an empty string.
    Q_INVOKABLE QString nameAt(int row) const;
    // The row of a ref name, or -1.
    Q_INVOKABLE int indexOf(const QString &name) const;

Q_SIGNALS:
    void countChanged();
    void loadingChanged();
    void errorChanged();
    void loaded(); // a load() finished, with refs or an error

private:
    void setLoading(bool loading);
    void setError(const QString &error);

    QList<slipway::GitRef> m_refs;
    bool m_loading = false;
    QString m_error;
    std::stop_source m_stop;
    quint64 m_generation = 0;
};
