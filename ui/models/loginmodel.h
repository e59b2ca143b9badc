#pragma once

#include "models/poollistmodel.h"

#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <stop_token>

// The Settings page's registry logins: the logins saved in Slipway (SavedCredentials: the names
// in <config>/logins.json, the secrets in the system keychain), as `slipway-cli login` saves
// them. A row is a registry and its username, never the password. Every keychain and registry
// call runs on a pool thread (a keychain call can wait for an unlock prompt); the answers come
// back as values on this object's thread. Errors are one line naming the registry; no message,
// log line or property ever holds the password. Not final: QML_ELEMENT derives from it.
class LoginModel : public PoolListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")

public:
    enum Roles
    {
        RegistryRole = Qt::UserRole + 1,
        UsernameRole,
        ProblemRole, // why the login could not be read from the keychain; empty when it was
    };
    Q_ENUM(Roles)

    struct Row
    {
        QString registry;
        QString username;
        QString problem;
    };

    // dataDirOption: as the CLI's --data-dir (empty: $SLIPWAY_HOME or the XDG directories).
    explicit LoginModel(const QString &dataDirOption, QObject *parent = nullptr);
    ~LoginModel() override;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const override { return int(m_rows.size()); }
    // The SavedCredentials index the logins are listed in.
    QString indexFile() const { return m_indexFile; }

    // Reads the saved registries and, from the keychain, their usernames, off this thread.
    Q_INVOKABLE void refresh();
    // As `slipway-cli login REGISTRY --username USER --password-stdin`: checks the login against
    // the registry (GET /v2/ with it, the registry's CA and plain-HTTP rule as a push uses), and
    // only when the registry accepts it saves it in the keychain. Emits added() either way.
    Q_INVOKABLE void add(const QString &registry, const QString &username, const QString &password);
    // As `slipway-cli logout`: removes the row's login from the keychain and the index.
    Q_INVOKABLE void remove(int row);
    Q_INVOKABLE int indexOf(const QString &registry) const;

    // The host[:port] of what a user types ("https://host:5000/v2/" as `docker login` takes it),
    // or empty when it is none.
    static QString registryName(const QString &text);

Q_SIGNALS:
    void added(bool ok, const QString &registry, const QString &error);
    void removed(bool ok, const QString &registry, const QString &error);
    void refreshed(); // a refresh() answered

private:
    void setRows(const QList<Row> &rows);

    QString m_dataDir;
    QString m_indexFile;
    QList<Row> m_rows;
    quint64 m_generation = 0;
    std::stop_source m_stop; // the model's end stops keychain and registry calls in flight
};
