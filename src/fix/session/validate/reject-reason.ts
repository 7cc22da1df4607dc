/**
 * SessionRejectReason(373) and BusinessRejectReason(380) codes we use, with the Text(58)
 * wording of the reference engine (QuickFIX), which counterparties and certification
 * scripts recognise.
 */
export const SessionRejectReason = {
  InvalidTagNumber: 0,
  RequiredTagMissing: 1,
  TagNotDefinedForMsgType: 2,
  TagSpecifiedWithoutValue: 4,
  ValueIsIncorrect: 5,
  IncorrectDataFormat: 6,
  CompIdProblem: 9,
  SendingTimeAccuracyProblem: 10,
  InvalidMsgType: 11,
  TagAppearsMoreThanOnce: 13,
  TagSpecifiedOutOfRequiredOrder: 14,
  RepeatingGroupFieldsOutOfOrder: 15,
  IncorrectNumInGroupCount: 16,
  Other: 99
} as const

export type SessionRejectCode = typeof SessionRejectReason[keyof typeof SessionRejectReason]

export const SESSION_REJECT_TEXT: Readonly<Record<SessionRejectCode, string>> = {
  0: 'Invalid tag number',
  1: 'Required tag missing',
  2: 'Tag not defined for this message type',
  4: 'Tag specified without a value',
  5: 'Value is incorrect (out of range) for this tag',
  6: 'Incorrect data format for value',
  9: 'CompID problem',
  10: 'SendingTime accuracy problem',
  11: 'Invalid MsgType',
  13: 'Tag appears more than once',
  14: 'Tag specified out of required order',
  15: 'Repeating group fields out of order',
  16: 'Incorrect NumInGroup count for repeating group',
  99: 'Other'
}

export const BusinessRejectReason = {
  Other: 0,
  ApplicationNotAvailable: 4,
  UnsupportedMessageType: 3,
  ConditionallyRequiredFieldMissing: 5
} as const

export const BUSINESS_REJECT_TEXT: Readonly<Record<number, string>> = {
  0: 'Other',
  3: 'Unsupported Message Type',
  4: 'Application not available',
  5: 'Conditionally Required Field Missing'
}

/** One reason to reject a message at the session level. */
export interface SessionProblem {
  readonly reason: SessionRejectCode
  /** RefTagID(371): the tag as written (so "-1" stays "-1"); absent when not about one tag */
  readonly refTagId?: string
  /** our own words for the log; the Reject carries SESSION_REJECT_TEXT */
  readonly detail: string
}
