#pragma once

#include "history/records.h"
#include "util/result.h"

#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

namespace slipway {

class HistoryDatabase;

// The projects, releases and release_layers tables. On a database it does not own.
class ReleaseStore final
{
public:
    explicit ReleaseStore(HistoryDatabase &db)
        : m_db(db)
    {}

    // Created on first use; the source is updated when it changes (an empty one never erases it).
    Result<ProjectRecord> ensureProject(const QString &name, const QString &source);
    // The project of a repository (its sourceIdentity): the one recorded with that source; else
    // `name`, taken for it when no other source has it (a project of that name recorded without a
    // source becomes this one's); else `name` with 6 hex digits of the source's sha256.
    Result<ProjectRecord> projectOfSource(const QString &name, const QString &source);
    Result<QList<ProjectRecord>> projects() const; // by name

    // Creates the project when needed (with an empty source); the new release's id.
    Result<qint64> add(const ReleaseRecord &release);
    Result<ReleaseRecord> find(qint64 id) const;                          // unknown id: BadInput
    Result<QList<ReleaseRecord>> ofProject(const QString &project) const; // newest first
    // The release of `id`, or nullopt when id is null.
    Result<std::optional<ReleaseRecord>> findOrNone(const QVariant &id) const;

private:
    HistoryDatabase &m_db;
};

} // namespace slipway
