import { createRequire as __loomCreateRequire } from 'node:module';
import { fileURLToPath as __loomFileURLToPath } from 'node:url';
const require = __loomCreateRequire(import.meta.url);
const __filename = __loomFileURLToPath(import.meta.url);
const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));
import{branchForIssue,selectPullForIssue}from"./chunk-HW2SKFAT.mjs";import{LoomError}from"./chunk-UVKLLUV6.mjs";var PULL_FIELDS=`fragment LoomPull on PullRequest {
  number state merged url headRefName body updatedAt mergeable isDraft
  labels(first: 50) { nodes { name } }
  closingIssuesReferences(first: 20) { nodes { number } }
}`,toCandidate=p=>({number:p.number,state:p.merged?"MERGED":p.state,headRefName:p.headRefName,body:p.body??"",url:p.url,updatedAt:p.updatedAt,labels:p.labels.nodes.map(l=>l.name),mergeable:p.mergeable,isDraft:p.isDraft,closingIssues:(p.closingIssuesReferences?.nodes??[]).map(i=>i.number)}),COMMENT_FIELDS="nodes { id databaseId body viewerDidAuthor authorAssociation } pageInfo { hasNextPage endCursor }",ISSUE_WORK=`query LoomIssueWork($owner: String!, $name: String!, $number: Int!, $branch: String!, $withComments: Boolean!, $pr: Int!, $withPr: Boolean!) {
  repository(owner: $owner, name: $name) {
    item: issueOrPullRequest(number: $number) {
      __typename
      ... on Issue {
        id number title state body
        labels(first: 50) { nodes { name } }
        closedByPullRequestsReferences(first: 20, includeClosedPrs: true) { nodes { ...LoomPull } }
        comments(first: 100) @include(if: $withComments) { ${COMMENT_FIELDS} }
      }
      ... on PullRequest { number }
    }
    byBranch: pullRequests(headRefName: $branch, first: 20, states: [OPEN, MERGED]) { nodes { ...LoomPull } }
    openPulls: pullRequests(states: [OPEN], first: 50, orderBy: { field: UPDATED_AT, direction: DESC }) { nodes { ...LoomPull } }
    explicit: issueOrPullRequest(number: $pr) @include(if: $withPr) { __typename ... on PullRequest { ...LoomPull } }
  }
}
${PULL_FIELDS}`,MORE_COMMENTS=`query LoomMoreComments($id: ID!, $after: String) {
  node(id: $id) { ... on Issue { comments(first: 100, after: $after) { ${COMMENT_FIELDS} } } }
}`;async function readIssueWork(gh,repo,number,options={}){let data=await gh.graphql(ISSUE_WORK,{owner:repo.owner,name:repo.name,number,branch:branchForIssue(number),withComments:!!options.comments,pr:options.pr??0,withPr:options.pr!==void 0}),item=data.repository?.item;if(!item)throw new LoomError("GH_NOT_FOUND",`#${number} does not exist in ${repo.owner}/${repo.name}.`,{hint:"Check the issue number."});if(item.__typename!=="Issue")throw new LoomError("USAGE",`#${number} is a pull request, not an issue.`,{hint:"Give the number of the issue the pull request belongs to."});let explicit=null;if(options.pr!==void 0){let raw=data.repository.explicit;if(raw?.__typename!=="PullRequest")throw new LoomError("GH_NOT_FOUND",`#${options.pr} is not a pull request in ${repo.owner}/${repo.name}.`,{hint:"Check the --pr number."});explicit=toCandidate(raw)}let candidates=[...item.closedByPullRequestsReferences?.nodes??[],...data.repository.byBranch.nodes,...data.repository.openPulls.nodes].map(toCandidate),comments=null;if(options.comments&&item.comments){comments=[...item.comments.nodes];let page=item.comments.pageInfo;for(let i=0;page.hasNextPage&&i<20;i++){let more=await gh.graphql(MORE_COMMENTS,{id:item.id,after:page.endCursor});if(!more.node)break;comments.push(...more.node.comments.nodes),page=more.node.comments.pageInfo}}return{issue:{id:item.id,number:item.number,title:item.title,state:item.state,body:item.body,labels:item.labels.nodes.map(l=>l.name)},candidates,pull:selectPullForIssue(number,candidates),explicit,comments}}export{readIssueWork};
