#pragma once

#include "history/records.h"
#include "util/result.h"

#include <QList>

namespace slipway {

class HistoryDatabase;

// The operations table: what was done by hand to an app's containers on a target (stop,
// start, restart, remove), recorded once it has ended. On a database it does not own.
class OperationStore final
{
public:
    explicit OperationStore(HistoryDatabase &db)
        : m_db(db)
    {}

    // Records an ended operation; its id. started and finished default to now.
    Result<qint64> add(const OperationRecord &operation);
    Result<QList<OperationRecord>> list(const OperationFilter &filter) const; // newest first

private:
    HistoryDatabase &m_db;
};

} // namespace slipway
