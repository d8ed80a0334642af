// Reference output of the official client for livepost's parity tests and benchmark.
//
// stdin: a JSON array of strings. stdout: a JSON array, one object per string:
//   {graphemes, facets: [{byteStart, byteEnd, type, value}], shortUrls: [...]}
// where graphemes is RichText.graphemeLength, facets come from
// RichText.detectFacetsWithoutResolution() (value: tag, link uri, or the unresolved handle),
// and shortUrls is the official app's toShortUrl() of each link's visible text.
//
// With --time N, also reports the mean nanoseconds per string of N rounds of
// `new RichText({text}); rt.detectFacetsWithoutResolution()` over the whole input.
import { RichText, UnicodeString } from '@atproto/api'

// toShortUrl from bluesky-social/social-app src/lib/strings/url-helpers.ts (MIT): how the app
// displays a link in a post it composes.
function toShortUrl(url) {
  try {
    const urlp = new URL(url)
    if (urlp.protocol !== 'http:' && urlp.protocol !== 'https:') {
      return url
    }
    const path = (urlp.pathname === '/' ? '' : urlp.pathname) + urlp.search + urlp.hash
    if (path.length > 15) {
      return urlp.host + path.slice(0, 13) + '...'
    }
    return urlp.host + path
  } catch (e) {
    return url
  }
}

function describe(text) {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  const unicode = new UnicodeString(text)
  const facets = (rt.facets || []).map((facet) => {
    const feature = facet.features[0]
    const kind = feature.$type.split('#')[1]
    const value = kind === 'link' ? feature.uri : kind === 'mention' ? feature.did : feature.tag
    return { byteStart: facet.index.byteStart, byteEnd: facet.index.byteEnd, type: kind, value }
  })
  const shortUrls = facets
    .filter((f) => f.type === 'link')
    .map((f) => toShortUrl(unicode.slice(f.byteStart, f.byteEnd)))
  return { graphemes: rt.graphemeLength, facets, shortUrls }
}

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const results = texts.map(describe)

const timeAt = process.argv.indexOf('--time')
let nsPerString = null
if (timeAt !== -1) {
  const rounds = Number(process.argv[timeAt + 1] || '20')
  for (const text of texts) new RichText({ text }).detectFacetsWithoutResolution() // warm up
  const started = process.hrtime.bigint()
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) new RichText({ text }).detectFacetsWithoutResolution()
  }
  nsPerString = Number(process.hrtime.bigint() - started) / (rounds * texts.length)
}
process.stdout.write(JSON.stringify(timeAt === -1 ? results : { results, nsPerString }))
