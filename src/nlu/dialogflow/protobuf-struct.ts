/**
 * `google.protobuf.Struct`, the type Dialogflow gives parameters and context parameters in, as plain JS values.
 * Both the client (protobufjs) and a proto-loader server hand over the same shape: `fields` of `Value`s, each with
 * one member of its `kind` oneof set (and `kind` naming it, when the loader was asked for oneofs).
 */

export interface ProtobufValue {
  kind?: string | null;
  nullValue?: unknown;
  numberValue?: number | null;
  stringValue?: string | null;
  boolValue?: boolean | null;
  structValue?: ProtobufStruct | null;
  listValue?: { values?: ProtobufValue[] | null } | null;
}

/** A `google.protobuf.Struct`; the client's `protos.google.protobuf.IStruct` fits this shape. */
export interface ProtobufStruct {
  fields?: Record<string, ProtobufValue> | null;
}

const VALUE_KINDS = ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'] as const;

/** Decodes a Struct into plain values: strings, numbers, booleans, null, arrays and objects. */
export function decodeStruct(struct: ProtobufStruct | null | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) values[key] = decodeValue(value);
  return values;
}

function decodeValue(value: ProtobufValue): unknown {
  const kind = value.kind ?? VALUE_KINDS.find((member) => value[member] !== undefined && value[member] !== null);
  switch (kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return decodeStruct(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(decodeValue);
    default:
      return null;
  }
}
