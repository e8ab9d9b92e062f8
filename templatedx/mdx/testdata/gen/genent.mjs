import {characterEntities} from 'character-entities'
function goStr(s){let o="\"";for(const ch of s){const c=ch.codePointAt(0);if(c===34||c===92)o+="\\"+ch;else if(c<32||c>=127)o+="\\U"+c.toString(16).padStart(8,"0");else o+=ch}return o+"\""}
const keys = Object.keys(characterEntities).sort()
let out = '// Code generated from npm character-entities@2.0.2 (the HTML5 named\n// character references micromark uses); DO NOT EDIT.\n\npackage mdx\n\nvar entities = map[string]string{\n'
for (const k of keys) out += '\t' + JSON.stringify(k) + ': ' + goStr(characterEntities[k]) + ',\n'
out += '}\n'
process.stdout.write(out)
