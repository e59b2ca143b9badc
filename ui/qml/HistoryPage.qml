import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    objectName: "historyPage"
    padding: 24

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("History")
            subtitle: qsTr("Every release and deployment Slipway has made, with its log.")
        }

        EmptyState {
            Layout.fillWidth: true
            Layout.fillHeight: true
            heading: qsTr("No deployments yet")
            explanation: qsTr("Each deployment is remembered here: its commit, image digest, targets and log. Any earlier release rolls back with one click.")
        }
    }
}
