import type { DeviceInfo } from './world-index.js';

// XML the DCC builds itself. N24's UpdateHANDeviceLogResult/UpdateHANDeviceLogServiceRequestID follows the public
// duis-parser tests; the other alert bodies and DSPInventory's children are illustrative shapes (DUIS names,
// plausible content), enough for a parser that keeps DCCAlert and DCC-built bodies as opaque XML.

/** Lines inside `sr:ResponseMessage` after the SRV for a successful non-device request. */
export function dccResponseBody(srv: string, device: DeviceInfo, scheduleId: number): string {
  switch (srv) {
    case '8.2':
      return (
        '      <sr:DSPInventory>\n        <sr:Device>\n' +
        `          <sr:DeviceID>${device.id}</sr:DeviceID>\n          <sr:DeviceType>${device.type}</sr:DeviceType>\n` +
        '          <sr:DeviceStatus>Commissioned</sr:DeviceStatus>\n          <sr:SMETSCHTSVersion>SMETS2</sr:SMETSCHTSVersion>\n' +
        '        </sr:Device>\n      </sr:DSPInventory>\n'
      );
    case '5.1':
      return `      <sr:DSPScheduleID>${scheduleId}</sr:DSPScheduleID>\n`;
    default:
      return ''; // 8.3, 8.4, 8.14.x, 12.2: the response code is the whole answer
  }
}

/** Content of `sr:DCCAlert` (indented for the envelope). */
export function dccAlertBody(code: string, requestId: string | null, device: DeviceInfo, eventTime: string): string {
  switch (code) {
    case 'N24':
      return (
        '        <sr:UpdateHANDeviceLogResult>\n' +
        `          <sr:UpdateHANDeviceLogServiceRequestID>${requestId}</sr:UpdateHANDeviceLogServiceRequestID>\n` +
        '        </sr:UpdateHANDeviceLogResult>\n'
      );
    case 'N25':
      return (
        '        <sr:ServiceRequestOutcome>\n' +
        `          <sr:OriginalRequestID>${requestId}</sr:OriginalRequestID>\n          <sr:DeviceID>${device.id}</sr:DeviceID>\n` +
        '          <sr:Outcome>Expired</sr:Outcome>\n        </sr:ServiceRequestOutcome>\n'
      );
    case 'AD1':
      return (
        '        <sr:PowerOutageEvent>\n' +
        `          <sr:DeviceID>${device.id}</sr:DeviceID>\n          <sr:PowerOutageStartDateTime>${eventTime}</sr:PowerOutageStartDateTime>\n` +
        '        </sr:PowerOutageEvent>\n'
      );
    default:
      return (
        '        <sr:DeviceEvent>\n' +
        `          <sr:DeviceID>${device.id}</sr:DeviceID>\n          <sr:EventDateTime>${eventTime}</sr:EventDateTime>\n` +
        '        </sr:DeviceEvent>\n'
      );
  }
}
