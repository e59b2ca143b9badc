#pragma once

#include "models/poollistmodel.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <stop_token>

// The secrets of one app, as the Apps page's Secrets dialog shows them and `slipway-cli secret
// list` prints them (AppSecrets: the names in <config>/secrets.json, the values in the system
// keychain). A row is a name and when it was set, never the value. Setting and removing go to
// the keychain on a pool thread (a call can wait for an unlock prompt); the answers come back
// as values on this object's thread. No property, message or log line ever holds a value. Not
// final: QML_ELEMENT derives from it.
class SecretModel : public PoolListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    // The app whose secrets are listed, as deployed ("web", "web-staging").
    Q_PROPERTY(QString app READ app NOTIFY appChanged)

public:
    enum Roles
    {
        NameRole = Qt::UserRole + 1,
        SetRole, // when the value was last set (QDateTime, UTC)
    };
    Q_ENUM(Roles)

    struct Row
    {
        QString name;
        QDateTime set;
    };

    // dataDirOption: as the CLI's --data-dir (empty: $SLIPWAY_HOME or the XDG directories).
    explicit SecretModel(const QString &dataDirOption, QObject *parent = nullptr);
    ~SecretModel() override;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    int count() const override { return int(m_rows.size()); }
    QString app() const { return m_app; }

    // Lists `app`'s secrets (the index only: no keychain call).
    Q_INVOKABLE void show(const QString &app);
    Q_INVOKABLE void refresh();
    // As `slipway-cli secret set APP NAME`: saves the value in the keychain. Emits saved().
    Q_INVOKABLE void set(const QString &name, const QString &value);
    // As `slipway-cli secret rm APP NAME`. Emits removed().
    Q_INVOKABLE void remove(int row);
    Q_INVOKABLE int indexOf(const QString &name) const;

Q_SIGNALS:
    void appChanged();
    void saved(bool ok, const QString &name, const QString &error);
    void removed(bool ok, const QString &name, const QString &error);
    void refreshed();

private:
    QString m_dataDir;
    QString m_app;
    QList<Row> m_rows;
    quint64 m_generation = 0;
    std::stop_source m_stop; // the model's end stops keychain calls in flight
};
