pragma Singleton
import QtQuick

// The few colours that are not the system palette's: log levels and stage results. Each has a
// shade for light windows and one for dark ones, both at 4.5:1 or more against the window and
// the list backgrounds (WCAG AA for text); Main.qml says which applies. A status never rests on
// its colour alone: an icon or a word goes with it.
QtObject {
    property bool dark: false
    readonly property color debugColour: dark ? "#9d9da3" : "#666666"
    readonly property color warningColour: dark ? "#f0b429" : "#8a5a00"
    readonly property color errorColour: dark ? "#ff7b7b" : "#b42318"
    readonly property color okColour: dark ? "#4cc38a" : "#1d6b40"
    readonly property string monospace: "monospace"

    function levelColour(level: string, text: color): color {
        switch (level) {
        case "debug": return debugColour
        case "warning": return warningColour
        case "error": return errorColour
        default: return text
        }
    }

    function stateIcon(state: string): string {
        switch (state) {
        case "running": return "◐"
        case "done": return "✓"
        case "cached": return "✓"
        case "failed": return "✗"
        case "cancelled": return "■"
        default: return "○"
        }
    }

    function stateColour(state: string, pal: var): color {
        switch (state) {
        case "running": return pal.highlight
        case "done": return okColour
        case "cached": return okColour
        case "failed": return errorColour
        case "cancelled": return warningColour
        default: return pal.mid
        }
    }

    function formatSize(bytes: real): string {
        if (bytes < 0)
            return "…"
        const units = ["B", "kB", "MB", "GB", "TB"]
        let value = bytes
        let unit = 0
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000
            ++unit
        }
        return (unit === 0 ? value.toFixed(0) : value.toFixed(1)) + " " + units[unit]
    }
}
