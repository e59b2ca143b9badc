#include "engine/buildsteps.h"

#include <QRegularExpression>

namespace slipway {

const char *BuildSteps::stateName(Step::State state)
{
    switch (state) {
    case Step::State::Running:
        return "running";
    case Step::State::Cached:
        return "cached";
    case Step::State::Done:
        return "done";
    case Step::State::Failed:
        return "failed";
    }
    return "running";
}

void BuildSteps::add(const QString &text)
{
    m_pending += text;
    qsizetype newline;
    while ((newline = m_pending.indexOf(u'\n')) >= 0) {
        line(m_pending.left(newline));
        m_pending.remove(0, newline + 1);
    }
}

void BuildSteps::finish(bool failed)
{
    if (!m_pending.isEmpty()) {
        line(m_pending);
        m_pending.clear();
    }
    if (!m_steps.isEmpty() && m_steps.constLast().state == Step::State::Running)
        setState(failed ? Step::State::Failed : Step::State::Done);
}

void BuildSteps::setState(Step::State state)
{
    Step &step = m_steps.last();
    if (step.state == state)
        return;
    step.state = state;
    if (onStep)
        onStep(step);
}

void BuildSteps::line(const QString &raw)
{
    // Docker colours a RUN's stderr (ESC[91m ... ESC[0m): the log has no use for the codes.
    static const QRegularExpression colour(QStringLiteral("\x1b\\[[0-9;]*m"));
    QString text = raw;
    text.remove(colour);
    if (text.endsWith(u'\r'))
        text.chop(1);
    // Docker: "Step 2/5 : RUN make"; buildah: "STEP 2/5: RUN make", "[1/2] STEP 2/5: RUN make".
    static const QRegularExpression start(
        QStringLiteral(R"(^(?:\[(\d+/\d+)\] )?(?:Step|STEP) (\d+/\d+) ?: ?(.*)$)"));
    static const QRegularExpression cache(QStringLiteral(R"(^\s*-+> Using cache\b)"));
    if (const auto match = start.match(text); match.hasMatch()) {
        if (!m_steps.isEmpty() && m_steps.constLast().state == Step::State::Running)
            setState(Step::State::Done);
        m_steps.append(Step{.index = int(m_steps.size()),
                            .stage = match.captured(1),
                            .number = match.captured(2),
                            .instruction = match.captured(3).trimmed(),
                            .state = Step::State::Running});
        if (onStep)
            onStep(m_steps.constLast());
        return;
    }
    if (!m_steps.isEmpty() && cache.match(text).hasMatch() &&
        m_steps.constLast().state == Step::State::Running)
        setState(Step::State::Cached);
    if (onLine && !text.trimmed().isEmpty())
        onLine(m_steps.isEmpty() ? -1 : int(m_steps.size() - 1), text);
}

} // namespace slipway
