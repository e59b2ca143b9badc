#pragma once

#include "engine/target.h"
#include "util/result.h"

#include <QList>
#include <QString>

namespace slipway {

class HistoryDatabase;

// The targets table: named endpoints, unique by name. On a database it does not own.
class TargetStore final
{
public:
    explicit TargetStore(HistoryDatabase &db)
        : m_db(db)
    {}

    Status add(const Target &target);               // an existing name: BadInput
    Status update(const Target &target);            // an unknown name: BadInput
    Status remove(const QString &name);             // an unknown name: BadInput
    Result<QList<Target>> all() const;              // by name
    Result<Target> find(const QString &name) const; // an unknown name: BadInput

private:
    HistoryDatabase &m_db;
};

} // namespace slipway
