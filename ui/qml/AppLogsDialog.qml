import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// An app's live container logs, as AppLogsController follows them (one or several targets, the
// target as a column): opened by the History and Apps pages after appLogs.follow(); closing it
// stops following.
Dialog {
    id: dialog

    required property AppLogsController appLogs

    objectName: "logsDialog"
    anchors.centerIn: parent
    width: Math.min(parent.width - 48, 1000)
    height: Math.min(parent.height - 48, 640)
    modal: false
    title: dialog.appLogs.following ? qsTr("Logs of %1 on %2 (following)").arg(dialog.appLogs.app).arg(dialog.appLogs.targets.join(", "))
                                    : qsTr("Logs of %1 on %2").arg(dialog.appLogs.app).arg(dialog.appLogs.targets.join(", "))
    standardButtons: Dialog.Close
    onClosed: dialog.appLogs.stop()

    ColumnLayout {
        anchors.fill: parent
        spacing: 6
        Label {
            objectName: "appLogsError"
            Layout.fillWidth: true
            visible: dialog.appLogs.error.length > 0
            text: dialog.appLogs.error
            wrapMode: Text.Wrap
            color: Theme.levelColour("error", palette.text)
        }
        LogView {
            objectName: "appLogView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            showTarget: true
            model: dialog.appLogs.logFilter
            viewModel: dialog.appLogs.logViewModel
            textOfRows: (first, last) => dialog.appLogs.logText(first, last)
        }
    }
}
