#include "controllers/pipelinestages.h"

#include <QVariantMap>

using namespace slipway;

namespace {

const char *const stageNames[] = {"fetch", "build", "push", "deploy"};

QString stateName(StageState state)
{
    switch (state) {
    case StageState::Pending:
        return QStringLiteral("pending");
    case StageState::Running:
        return QStringLiteral("running");
    case StageState::Done:
        return QStringLiteral("done");
    case StageState::Failed:
        return QStringLiteral("failed");
    case StageState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

} // namespace

void PipelineStages::reset()
{
    for (Stage &stage : m_stages)
        stage = Stage();
    m_clock.start();
}

void PipelineStages::update(int stage, int state, qint64 elapsedMs)
{
    if (stage < 0 || stage >= count)
        return;
    Stage &info = m_stages[stage];
    info.state = StageState(state);
    if (info.state == StageState::Running) {
        info.startedAt = m_clock.elapsed();
        info.eventStartedAt = elapsedMs;
        info.elapsedMs = 0;
    } else if (info.startedAt >= 0) {
        info.elapsedMs = std::max<qint64>(0, elapsedMs - info.eventStartedAt);
    }
}

void PipelineStages::finish(bool cancelled)
{
    for (Stage &stage : m_stages)
        if (stage.state == StageState::Running) {
            stage.state = cancelled ? StageState::Cancelled : StageState::Failed;
            stage.elapsedMs = m_clock.elapsed() - stage.startedAt;
        }
}

QVariantList PipelineStages::values() const
{
    QVariantList list;
    for (int i = 0; i < count; ++i) {
        const Stage &stage = m_stages[i];
        qint64 elapsed = stage.elapsedMs;
        if (stage.state == StageState::Running && m_clock.isValid())
            elapsed = std::max<qint64>(0, m_clock.elapsed() - stage.startedAt);
        list.append(QVariantMap{{QStringLiteral("name"), QString::fromLatin1(stageNames[i])},
                                {QStringLiteral("state"), stateName(stage.state)},
                                {QStringLiteral("elapsedMs"), elapsed},
                                {QStringLiteral("started"), stage.startedAt >= 0}});
    }
    return list;
}
