'use strict';
// First step of the state machine: checks the event and passes on what the next step needs.
exports.handler = async (input) => {
  const detail = input.detail ?? input;
  if (!detail.keys) throw new Error('ValidationError: event has no item keys');
  return { eventName: detail.eventName, keys: detail.keys, valid: true };
};
