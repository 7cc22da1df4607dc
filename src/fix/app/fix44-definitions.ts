/** The FIX 4.4 dictionary (data/dictionaries/FIX44.xml) as jspurefix definitions, loaded once. */
import * as path from 'node:path'
import { DefinitionFactory } from '../jspurefix'
import type { FixDefinitions } from '../jspurefix'

const FILE = path.resolve(__dirname, '..', '..', '..', '..', 'data', 'dictionaries', 'FIX44.xml')
let loading: Promise<FixDefinitions> | null = null

export async function fix44Definitions (): Promise<FixDefinitions> {
  loading ??= new DefinitionFactory().getDefinitions(FILE)
  return await loading
}
